package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One file of a shard's RocksDB database, as uploaded: its name inside the shard directory, its
 * size and its CRC32C (8 lowercase hex digits), which readers verify before opening the shard.
 */
public record ShardFile(
    @JsonProperty("name") String name,
    @JsonProperty("size") long size,
    @JsonProperty("crc32c") String crc32c) {}
