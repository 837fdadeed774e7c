/**
 * One classpath that launches shardyfusion Beam jobs on the Direct, Flink and Spark runners
 * with {@code --runner=DirectRunner|FlinkRunner|SparkRunner}: {@link
 * io.shardyfusion.runners.GenerateSnapshotJob} (a deterministic generated snapshot, for smoke
 * tests of a cluster), {@link io.shardyfusion.runners.RunnerBench} (rows/s per runner beside
 * the in-process writer and raw RocksDB) and {@link io.shardyfusion.runners.JvmOptions} (the
 * flags Spark needs on Java 17).
 */
package io.shardyfusion.runners;
