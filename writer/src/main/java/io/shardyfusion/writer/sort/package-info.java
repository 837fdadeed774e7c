/**
 * Bounded-memory external sort of routed records and the feeding of one shard's sorted records
 * into a shard backend ({@link io.shardyfusion.writer.sort.ShardBuild}). Used by the writers;
 * depends on none of them.
 */
package io.shardyfusion.writer.sort;
