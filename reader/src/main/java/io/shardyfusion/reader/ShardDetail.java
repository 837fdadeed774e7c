package io.shardyfusion.reader;

import java.nio.file.Path;

/**
 * One shard of the snapshot being served. Shards without rows are reported too, with
 * {@code rowCount} 0 and null location, as the Python system's readers do.
 *
 * @param localPath where the shard is opened from, or null for an empty shard
 */
public record ShardDetail(int dbId, long rowCount, long dbBytes, Object minKey, Object maxKey,
    String dbUrl, String attempt, Path localPath) {}
