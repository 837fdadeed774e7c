package io.shardyfusion.writer.publish;

import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import java.io.Serializable;
import java.util.List;

/**
 * One fully uploaded attempt at one shard: what a writer task reports to the publish step.
 * Several attempts may exist for a shard (retries, speculative tasks); one wins.
 *
 * @param minKey the smallest key in the manifest's JSON form; {@code maxKey} likewise
 * @param recordBytes key + value bytes of the shard's records (before compression)
 * @param dbUrl where the shard's files are; for a shard reused from an earlier snapshot
 *     (same contents) this is that snapshot's directory
 */
public record ShardAttempt(int dbId, String attempt, String dbUrl, long rowCount, long dbBytes,
    long recordBytes, Object minKey, Object maxKey, List<ShardFile> files, String writer,
    String host, long durationMs, String contentHash, String checkpointId)
    implements Serializable {

  public ShardAttempt {
    files = List.copyOf(files);
  }

  public ShardMeta toShardMeta() {
    return new ShardMeta(dbId, dbUrl, attempt, rowCount, dbBytes, minKey, maxKey, files,
        new ShardMeta.WriterInfo(writer, host, durationMs), contentHash, checkpointId);
  }
}
