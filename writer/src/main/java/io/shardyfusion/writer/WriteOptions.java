package io.shardyfusion.writer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shardyfusion.errors.ConfigValidationException;

/**
 * How the in-process writer runs: parallelism, rate limits and sort memory.
 *
 * <pre>{@code
 * WriteOptions.defaults().withParallel(true).withMaxWritesPerSecond(50_000);
 * }</pre>
 *
 * @param parallel build shards concurrently and sort in the background while routing
 * @param parallelism threads for that (default: available processors)
 * @param maxWritesPerSecond token bucket on records/s; 0 = unlimited
 * @param maxWriteBytesPerSecond token bucket on key+value bytes/s; 0 = unlimited
 * @param sortBufferBytes heap for one sort buffer; parallel mode uses two
 * @param meterRegistry where the write's meters go (docs/METRICS.md); null (default) = none.
 *     Here and not in {@link WriteConfig}: a config is serialized to Beam workers, a registry
 *     is a live object of this JVM
 * @param meterTags tags added to every meter of the write; empty by default
 */
public record WriteOptions(boolean parallel, int parallelism, double maxWritesPerSecond,
    double maxWriteBytesPerSecond, long sortBufferBytes, MeterRegistry meterRegistry,
    Tags meterTags) {

  /** Options without metrics. */
  public WriteOptions(boolean parallel, int parallelism, double maxWritesPerSecond,
      double maxWriteBytesPerSecond, long sortBufferBytes) {
    this(parallel, parallelism, maxWritesPerSecond, maxWriteBytesPerSecond, sortBufferBytes,
        null, Tags.empty());
  }

  public static final long DEFAULT_SORT_BUFFER_BYTES = 64L << 20;

  public WriteOptions {
    if (parallelism < 1 || parallelism > 256) {
      throw new ConfigValidationException("parallelism must be in 1..256, got " + parallelism);
    }
    if (maxWritesPerSecond < 0 || Double.isNaN(maxWritesPerSecond)) {
      throw new ConfigValidationException("maxWritesPerSecond must be >= 0 (0 = unlimited), got "
          + maxWritesPerSecond);
    }
    if (maxWriteBytesPerSecond < 0 || Double.isNaN(maxWriteBytesPerSecond)) {
      throw new ConfigValidationException(
          "maxWriteBytesPerSecond must be >= 0 (0 = unlimited), got " + maxWriteBytesPerSecond);
    }
    checkSortBufferBytes(sortBufferBytes);
    if (meterTags == null) {
      meterTags = Tags.empty();
    }
  }

  /** Validates a sort buffer size (1 MiB..2 GiB); shared with the Beam transform's option. */
  public static long checkSortBufferBytes(long sortBufferBytes) {
    if (sortBufferBytes < (1L << 20) || sortBufferBytes > (1L << 31) - 1) {
      throw new ConfigValidationException("sortBufferBytes must be in 1 MiB..2 GiB, got "
          + sortBufferBytes);
    }
    return sortBufferBytes;
  }

  public static WriteOptions defaults() {
    return new WriteOptions(false, Runtime.getRuntime().availableProcessors(), 0, 0,
        DEFAULT_SORT_BUFFER_BYTES);
  }

  public WriteOptions withParallel(boolean p) {
    return new WriteOptions(p, parallelism, maxWritesPerSecond, maxWriteBytesPerSecond,
        sortBufferBytes, meterRegistry, meterTags);
  }

  public WriteOptions withParallelism(int n) {
    return new WriteOptions(parallel, n, maxWritesPerSecond, maxWriteBytesPerSecond,
        sortBufferBytes, meterRegistry, meterTags);
  }

  public WriteOptions withMaxWritesPerSecond(double n) {
    return new WriteOptions(parallel, parallelism, n, maxWriteBytesPerSecond, sortBufferBytes,
        meterRegistry, meterTags);
  }

  public WriteOptions withMaxWriteBytesPerSecond(double n) {
    return new WriteOptions(parallel, parallelism, maxWritesPerSecond, n, sortBufferBytes,
        meterRegistry, meterTags);
  }

  public WriteOptions withSortBufferBytes(long n) {
    return new WriteOptions(parallel, parallelism, maxWritesPerSecond, maxWriteBytesPerSecond, n,
        meterRegistry, meterTags);
  }

  /**
   * Registers the write's meters in {@code registry} (null = none), e.g. a push registry
   * (OTLP) for a batch job, or the service's registry when a service writes.
   *
   * <pre>{@code
   * SnapshotWriter.writeSharded(rows, config, Row::id, Row::bytes,
   *     WriteOptions.defaults().withMeterRegistry(registry, Tags.of("snapshot", "users")));
   * }</pre>
   */
  public WriteOptions withMeterRegistry(MeterRegistry registry, Tags tags) {
    return new WriteOptions(parallel, parallelism, maxWritesPerSecond, maxWriteBytesPerSecond,
        sortBufferBytes, registry, tags);
  }

  /** {@link #withMeterRegistry(MeterRegistry, Tags)} without tags. */
  public WriteOptions withMeterRegistry(MeterRegistry registry) {
    return withMeterRegistry(registry, Tags.empty());
  }
}
