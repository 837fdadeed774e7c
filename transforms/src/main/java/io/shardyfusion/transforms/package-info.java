/**
 * Apache Beam transforms that build and publish sharded snapshots: {@link
 * io.shardyfusion.transforms.ShardedWrite}. They run on any runner (Direct, Flink, Spark) and
 * follow the same {@link io.shardyfusion.writer.RunLifecycle} as the in-process writer, with its
 * failure rule for a runner that retries bundles; routing goes through the same {@link
 * io.shardyfusion.routing.RecordRouter} as every writer and the reader. Attempts and results
 * travel with field-by-field coders ({@link io.shardyfusion.transforms.ShardAttemptCoder},
 * {@link io.shardyfusion.transforms.BuildResultCoder}).
 */
package io.shardyfusion.transforms;
