package io.shardyfusion.serve;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.storage.CredentialProvider;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Snapshots published with the real in-process writer under one prefix ({@code file://} or
 * S3Proxy): value of key k in run r is {@code "r:k"}, so an answer tells which run it came from.
 */
final class Published {
  final String prefix;
  final KeyEncoding encoding;
  final Path tmp;
  final CredentialProvider credentials;
  final S3ConnectionOptions s3;

  Published(String prefix, KeyEncoding encoding, Path tmp, CredentialProvider credentials,
      S3ConnectionOptions s3) {
    this.prefix = prefix;
    this.encoding = encoding;
    this.tmp = tmp;
    this.credentials = credentials;
    this.s3 = s3;
  }

  /** A file:// prefix under tmp. */
  static Published local(Path tmp, String name, KeyEncoding encoding) {
    return new Published(tmp.resolve(name).toUri().toString(), encoding, tmp, null, null);
  }

  static String value(String runId, Object key) {
    return runId + ":" + key;
  }

  /** Publishes run {@code runId} of these keys (Long for integer encodings, String else). */
  BuildResult publish(String runId, List<?> keys) {
    WriteConfig.Builder b = WriteConfig.builder().numDbs(4).s3Prefix(prefix)
        .keyEncoding(encoding).tempDir(tmp.resolve("build")).runId(runId);
    if (s3 != null) {
      b.credentialProvider(credentials).s3ConnectionOptions(s3);
    }
    WriteConfig cfg = b.build();
    // raw snapshots: String test keys are stored as their UTF-8 bytes.
    return SnapshotWriter.writeSharded(keys, cfg, k -> encoding == KeyEncoding.RAW
            && k instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : k,
        k -> value(runId, k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
  }

  /** Opens a reader on the published snapshot (what the server's opener does). */
  Supplier<ShardedReader> opener(String cacheName) {
    return () -> {
      ReaderConfig.Builder b = ReaderConfig.builder().s3Prefix(prefix)
          .localRoot(tmp.resolve("cache-" + cacheName));
      if (s3 != null) {
        b.credentialProvider(credentials).s3ConnectionOptions(s3);
      }
      return ShardedReader.open(b.build());
    };
  }

  String currentUrl() {
    return prefix + "/_CURRENT";
  }
}
