package io.shardyfusion.bench;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;

/**
 * Where a benchmark writes: a {@code file://} directory under its work directory, or a fresh
 * bucket on an S3Proxy process, with the connection settings writers and readers need.
 */
public record BenchStore(String prefix, S3ConnectionOptions options,
    StaticCredentialProvider credentials) {

  /** @param s3 the running S3Proxy, or null for a local directory under {@code work} */
  public static BenchStore of(S3ProxyServer s3, Path work, String name) {
    if (s3 == null) {
      return new BenchStore(work.resolve(name).toUri().toString(),
          S3ConnectionOptions.defaults(), null);
    }
    return new BenchStore("s3://" + s3.createUniqueBucket(name) + "/snapshot",
        S3ConnectionOptions.builder().endpointUrl(s3.endpoint()).addressingStyle("path")
            .region(s3.region()).build(),
        new StaticCredentialProvider(s3.accessKey(), s3.secretKey()));
  }

  public WriteConfig.Builder writeConfig() {
    return WriteConfig.builder().s3Prefix(prefix).s3ConnectionOptions(options)
        .credentialProvider(credentials);
  }

  public ReaderConfig.Builder readerConfig() {
    return ReaderConfig.builder().s3Prefix(prefix).s3ConnectionOptions(options)
        .credentialProvider(credentials);
  }
}
