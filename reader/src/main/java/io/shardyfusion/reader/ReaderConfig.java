package io.shardyfusion.reader;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.storage.CredentialProvider;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StorageLocation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
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
 * @param localRoot where shards are cached, laid out like the store. Readers of one snapshot
 *     prefix, in this process or others, may share it (on a local file system with POSIX
 *     locks): each holds a file lock on the shard directories it uses, and eviction skips those
 * @param blockCacheBytes one LRU block cache shared by every open shard
 * @param downloadParallelism shard files downloaded at once when loading a snapshot
 * @param maxFallbackAttempts when the current manifest cannot be served at open, how many
 *     earlier manifests (newest first) to try before giving up (default 3; 0 = none)
 * @param refreshInterval refresh in the background this often; null = only on request
 * @param maxReadsPerSecond token bucket over get/multiGet keys; 0 = unlimited
 * @param pinnedManifestRef serve exactly this manifest (its ref: with the default store, its full
 *     URL under {@code s3Prefix}); the current pointer is then never read and
 *     {@link ShardedReader#refresh()} returns false. Null (default) = follow the pointer
 * @param manifestStore where manifests and the current pointer live, when not next to the shards
 *     (e.g. PostgreSQL); null (default) = {@code _CURRENT} and manifests under {@code s3Prefix}.
 *     The reader opens the store and closes it on {@link ShardedReader#close()}; shards are
 *     always read from {@code s3Prefix}
 * @param downloadListener told after each shard is made local while opening or refreshing
 *     (null = {@link ShardDownloadListener#NONE})
 * @param meterRegistry where the reader's meters (docs/METRICS.md) are registered; null
 *     (default) = no metrics, and lookups pay one virtual call to a no-op
 * @param meterTags tags added to every meter of this reader, to tell several readers sharing
 *     one registry apart (e.g. {@code snapshot=users}); empty by default
 */
public record ReaderConfig(String s3Prefix, Path localRoot, CredentialProvider credentialProvider,
    S3ConnectionOptions s3ConnectionOptions, long blockCacheBytes, int downloadParallelism,
    int maxFallbackAttempts, java.time.Duration refreshInterval, double maxReadsPerSecond,
    String pinnedManifestRef, ManifestStoreFactory manifestStore,
    ShardDownloadListener downloadListener, MeterRegistry meterRegistry, Tags meterTags) {

  /** The configuration without metrics. */
  public ReaderConfig(String s3Prefix, Path localRoot, CredentialProvider credentialProvider,
      S3ConnectionOptions s3ConnectionOptions, long blockCacheBytes, int downloadParallelism,
      int maxFallbackAttempts, java.time.Duration refreshInterval, double maxReadsPerSecond,
      String pinnedManifestRef, ManifestStoreFactory manifestStore,
      ShardDownloadListener downloadListener) {
    this(s3Prefix, localRoot, credentialProvider, s3ConnectionOptions, blockCacheBytes,
        downloadParallelism, maxFallbackAttempts, refreshInterval, maxReadsPerSecond,
        pinnedManifestRef, manifestStore, downloadListener, null, Tags.empty());
  }

  /** The configuration without a download listener. */
  public ReaderConfig(String s3Prefix, Path localRoot, CredentialProvider credentialProvider,
      S3ConnectionOptions s3ConnectionOptions, long blockCacheBytes, int downloadParallelism,
      int maxFallbackAttempts, java.time.Duration refreshInterval, double maxReadsPerSecond,
      String pinnedManifestRef, ManifestStoreFactory manifestStore) {
    this(s3Prefix, localRoot, credentialProvider, s3ConnectionOptions, blockCacheBytes,
        downloadParallelism, maxFallbackAttempts, refreshInterval, maxReadsPerSecond,
        pinnedManifestRef, manifestStore, null);
  }

  public ReaderConfig {
    if (downloadListener == null) {
      downloadListener = ShardDownloadListener.NONE;
    }
    if (meterTags == null) {
      meterTags = Tags.empty();
    }
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
    if (maxFallbackAttempts < 0 || maxFallbackAttempts > 100) {
      throw new ConfigValidationException("maxFallbackAttempts must be in 0..100, got "
          + maxFallbackAttempts);
    }
    if (refreshInterval != null && (refreshInterval.isNegative() || refreshInterval.isZero())) {
      throw new ConfigValidationException("refreshInterval must be positive, got "
          + refreshInterval + "; leave it unset to refresh only on request");
    }
    if (maxReadsPerSecond < 0 || Double.isNaN(maxReadsPerSecond)) {
      throw new ConfigValidationException("maxReadsPerSecond must be >= 0 (0 = unlimited), got "
          + maxReadsPerSecond);
    }
    if (pinnedManifestRef != null) {
      if (pinnedManifestRef.isBlank()) {
        throw new ConfigValidationException("pinnedManifestRef is blank; leave it unset to "
            + "follow _CURRENT");
      }
      if (manifestStore == null && !pinnedManifestRef.startsWith(s3Prefix + "/")) {
        throw new ConfigValidationException("pinnedManifestRef " + pinnedManifestRef
            + " is not under s3Prefix " + s3Prefix + "; use the manifest's full URL");
      }
    }
  }

  /** Whether this reader serves one fixed manifest instead of following {@code _CURRENT}. */
  public boolean pinned() {
    return pinnedManifestRef != null;
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
    private int maxFallbackAttempts = 3;
    private java.time.Duration refreshInterval;
    private double maxReadsPerSecond;
    private String pinnedManifestRef;
    private ManifestStoreFactory manifestStore;
    private ShardDownloadListener downloadListener;
    private MeterRegistry meterRegistry;
    private Tags meterTags = Tags.empty();

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

    public Builder maxFallbackAttempts(int n) {
      this.maxFallbackAttempts = n;
      return this;
    }

    public Builder refreshInterval(java.time.Duration d) {
      this.refreshInterval = d;
      return this;
    }

    public Builder maxReadsPerSecond(double n) {
      this.maxReadsPerSecond = n;
      return this;
    }

    /** Serve exactly this manifest (its ref) and never follow the current pointer. */
    public Builder pinnedManifestRef(String ref) {
      this.pinnedManifestRef = ref;
      return this;
    }

    /** Read manifests and the current pointer from this store instead of {@code s3Prefix}. */
    public Builder manifestStore(ManifestStoreFactory factory) {
      this.manifestStore = factory;
      return this;
    }

    /** Told after each shard is made local, e.g. for a progress bar. */
    public Builder downloadListener(ShardDownloadListener listener) {
      this.downloadListener = listener;
      return this;
    }

    /**
     * Registers the reader's meters (timers, counters, gauges; see docs/METRICS.md) in
     * {@code registry}, e.g. a {@code PrometheusMeterRegistry} or an {@code OtlpMeterRegistry}.
     * Null (the default) turns metrics off. The reader removes its meters on close.
     *
     * <pre>{@code
     * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
     * ReaderConfig.builder().s3Prefix(url).localRoot(dir)
     *     .meterRegistry(prometheus).meterTags(Tags.of("snapshot", "users")).build();
     * // serve prometheus.scrape() on /metrics
     * }</pre>
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Tags added to every meter of this reader. Readers sharing one registry need distinct
     * tags (e.g. {@code snapshot=NAME}): meters with equal names and tags are one meter.
     */
    public Builder meterTags(Iterable<io.micrometer.core.instrument.Tag> tags) {
      this.meterTags = Tags.of(tags);
      return this;
    }

    public ReaderConfig build() {
      return new ReaderConfig(s3Prefix, localRoot, credentialProvider, s3ConnectionOptions,
          blockCacheBytes, downloadParallelism, maxFallbackAttempts, refreshInterval,
          maxReadsPerSecond, pinnedManifestRef, manifestStore, downloadListener, meterRegistry,
          meterTags);
    }
  }
}
