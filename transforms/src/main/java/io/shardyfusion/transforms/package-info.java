/** Apache Beam transforms that build sharded snapshots; see the ShardedWrite issue. */
package io.shardyfusion.transforms;
