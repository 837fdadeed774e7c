package io.shardyfusion.reader;

import java.time.Instant;

/**
 * What a reader is serving, as {@code snapshot_info()} reports it in the Python system.
 *
 * @param shardCount shards with data (at most numDbs)
 * @param loadedAt when this reader switched to the snapshot
 */
public record SnapshotInfo(String runId, String manifestRef, Instant createdAt, int numDbs,
    int shardCount, long totalRows, long totalBytes, String keyEncoding, String sharding,
    Instant loadedAt) {}
