/**
 * The writing side of shardyfusion: what to build ({@link io.shardyfusion.writer.WriteConfig}),
 * the one run protocol every writer follows ({@link io.shardyfusion.writer.RunLifecycle}:
 * begin, base, attempt, publish or fail), the in-process writer that runs it over an {@code
 * Iterable} ({@link io.shardyfusion.writer.SnapshotWriter}) and what a run reports ({@link
 * io.shardyfusion.writer.BuildResult}).
 *
 * <p>Dependencies point one way: this package uses {@link io.shardyfusion.writer.publish} and
 * {@link io.shardyfusion.writer.sort}; neither of them uses this package.
 */
package io.shardyfusion.writer;
