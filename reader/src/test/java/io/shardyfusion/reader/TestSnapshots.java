package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

/** Writes small snapshots whose values name the run they belong to: {@code tag + ":" + key}. */
final class TestSnapshots {
  static final int NUM_DBS = 4;

  private TestSnapshots() {}

  static String value(String tag, long key) {
    return tag + ":" + key;
  }

  static byte[] valueBytes(String tag, long key) {
    return value(tag, key).getBytes(StandardCharsets.UTF_8);
  }

  static String str(byte[] v) {
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  static List<Long> keys(long fromInclusive, long toExclusive) {
    return LongStream.range(fromInclusive, toExclusive).boxed().toList();
  }

  static WriteConfig fileConfig(Path storeDir, Path tempDir) {
    return WriteConfig.builder().numDbs(NUM_DBS).s3Prefix(storeDir.toUri().toString())
        .tempDir(tempDir).build();
  }

  static WriteConfig s3Config(S3ProxyServer s3, String prefix, Path tempDir) {
    return WriteConfig.builder().numDbs(NUM_DBS).s3Prefix(prefix)
        .credentialProvider(credentials(s3)).s3ConnectionOptions(s3Options(s3))
        .tempDir(tempDir).build();
  }

  static StaticCredentialProvider credentials(S3ProxyServer s3) {
    return new StaticCredentialProvider(s3.accessKey(), s3.secretKey());
  }

  static S3ConnectionOptions s3Options(S3ProxyServer s3) {
    return S3ConnectionOptions.builder().endpointUrl(s3.endpoint()).addressingStyle("path")
        .region(s3.region()).build();
  }

  /** Writes (and publishes) {@code keys} with values {@code tag:key}. */
  static BuildResult write(WriteConfig config, List<Long> keys, String tag,
      WriteOptions options) {
    BuildResult result = SnapshotWriter.writeSharded(keys, config, k -> k,
        k -> valueBytes(tag, k), options.withSortBufferBytes(1 << 20));
    assertThat(result.stats().rowsWritten()).isEqualTo(keys.size());
    return result;
  }

  static BuildResult write(WriteConfig config, List<Long> keys, String tag) {
    return write(config, keys, tag, WriteOptions.defaults());
  }

  static ReaderConfig.Builder readerFor(WriteConfig config, Path localRoot) {
    return ReaderConfig.builder().s3Prefix(config.s3Prefix()).localRoot(localRoot)
        .credentialProvider(config.credentialProvider())
        .s3ConnectionOptions(config.s3ConnectionOptions());
  }
}
