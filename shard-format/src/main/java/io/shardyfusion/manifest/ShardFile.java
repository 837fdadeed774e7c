package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One file of a shard's RocksDB database, as uploaded: its name inside the shard directory, its
 * size and its CRC32C (8 lowercase hex digits), which readers verify before opening the shard.
 */
public record ShardFile(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "size", required = true) long size,
    @JsonProperty(value = "crc32c", required = true) String crc32c)
    implements java.io.Serializable {}
