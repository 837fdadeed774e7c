package io.shardyfusion.transforms;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Beam metrics of a snapshot write, so that Flink's and Spark's UIs (and
 * {@code PipelineResult.metrics()}) show progress: rows routed, bytes, shards built and
 * uploaded, and per-shard build times.
 */
public final class ShardedWriteMetrics {
  public static final String NAMESPACE = "shardyfusion";
  public static final String ROWS = "rows_routed";
  public static final String BYTES = "bytes_routed";
  public static final String SHARD_ROWS = "rows_written";
  public static final String SHARDS = "shards_written";
  public static final String SHARD_BYTES = "shard_bytes_uploaded";
  public static final String SHARD_BUILD_MS = "shard_build_ms";
  /** Sorted runs sent through the shuffle (each holds many rows of one shard). */
  public static final String RUNS = "sorted_runs";
  /** Runs a shard task was handed twice and used once. */
  public static final String REPEATED_RUNS = "sorted_runs_repeated";

  static final Counter ROWS_ROUTED = Metrics.counter(NAMESPACE, ROWS);
  static final Counter BYTES_ROUTED = Metrics.counter(NAMESPACE, BYTES);
  static final Counter ROWS_WRITTEN = Metrics.counter(NAMESPACE, SHARD_ROWS);
  static final Counter SHARDS_WRITTEN = Metrics.counter(NAMESPACE, SHARDS);
  static final Counter BYTES_UPLOADED = Metrics.counter(NAMESPACE, SHARD_BYTES);
  static final Counter RUNS_EMITTED = Metrics.counter(NAMESPACE, RUNS);
  static final Counter RUNS_REPEATED = Metrics.counter(NAMESPACE, REPEATED_RUNS);
  static final Distribution BUILD_MS = Metrics.distribution(NAMESPACE, SHARD_BUILD_MS);

  private ShardedWriteMetrics() {}
}
