/**
 * Routing keys to shards, bit-identical with the Python system: key encodings (u64be, u32be,
 * utf8, raw), canonical bytes, xxh3_64 HASH routing and CEL routing (direct shard id, or a
 * routing value placed by boundaries), built by ShardRouters from a ShardingSpec.
 */
package io.shardyfusion.routing;
