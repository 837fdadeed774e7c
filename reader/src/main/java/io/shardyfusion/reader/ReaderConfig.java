package io.shardyfusion.reader;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.storage.CredentialProvider;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StorageLocation;
import java.nio.file.Path;

/**
 * Where a {@link ShardedReader} finds snapshots and keeps its local copies.
 *
 * <pre>{@code
 * ReaderConfig config = ReaderConfig.builder()
 *     .s3Prefix("s3://my-bucket/snapshots/users")
 *     .localRoot(Path.of("/var/cache/users-snapshot"))
 *     .build();
 * }</pre>
 *
 * @param blockCacheBytes one LRU block cache shared by every open shard
 * @param downloadParallelism shard files downloaded at once when loading a snapshot
 */
public record ReaderConfig(String s3Prefix, Path localRoot, CredentialProvider credentialProvider,
    S3ConnectionOptions s3ConnectionOptions, long blockCacheBytes, int downloadParallelism) {

  public ReaderConfig {
    if (s3Prefix == null) {
      throw new ConfigValidationException("s3Prefix is required, e.g. s3://bucket/path");
    }
    s3Prefix = StorageLocation.parse(s3Prefix).url();
    if (localRoot == null) {
      throw new ConfigValidationException("localRoot is required: a local directory where "
          + "shards are downloaded and opened");
    }
    localRoot = localRoot.toAbsolutePath().normalize();
    if (s3ConnectionOptions == null) {
      s3ConnectionOptions = S3ConnectionOptions.defaults();
    }
    if (blockCacheBytes < 0) {
      throw new ConfigValidationException("blockCacheBytes must be >= 0, got " + blockCacheBytes);
    }
    if (downloadParallelism < 1 || downloadParallelism > 64) {
      throw new ConfigValidationException("downloadParallelism must be in 1..64, got "
          + downloadParallelism);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with defaults: 64 MiB block cache, 4 parallel downloads, default credentials. */
  public static final class Builder {
    private String s3Prefix;
    private Path localRoot;
    private CredentialProvider credentialProvider;
    private S3ConnectionOptions s3ConnectionOptions;
    private long blockCacheBytes = 64L << 20;
    private int downloadParallelism = 4;

    private Builder() {}

    public Builder s3Prefix(String p) {
      this.s3Prefix = p;
      return this;
    }

    public Builder localRoot(Path p) {
      this.localRoot = p;
      return this;
    }

    public Builder credentialProvider(CredentialProvider p) {
      this.credentialProvider = p;
      return this;
    }

    public Builder s3ConnectionOptions(S3ConnectionOptions o) {
      this.s3ConnectionOptions = o;
      return this;
    }

    public Builder blockCacheBytes(long n) {
      this.blockCacheBytes = n;
      return this;
    }

    public Builder downloadParallelism(int n) {
      this.downloadParallelism = n;
      return this;
    }

    public ReaderConfig build() {
      return new ReaderConfig(s3Prefix, localRoot, credentialProvider, s3ConnectionOptions,
          blockCacheBytes, downloadParallelism);
    }
  }
}
