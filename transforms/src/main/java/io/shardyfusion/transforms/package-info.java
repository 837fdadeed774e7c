/**
 * Apache Beam transforms that build and publish sharded snapshots: {@link
 * io.shardyfusion.transforms.ShardedWrite}. They run on any runner (Direct, Flink, Spark) and use
 * the same routing, shard builder and publish code as the in-process writer.
 */
package io.shardyfusion.transforms;
