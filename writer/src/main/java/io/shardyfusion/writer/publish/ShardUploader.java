package io.shardyfusion.writer.publish;

import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.runs.HostName;

import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.storage.ObjectStore;

/**
 * Uploads a built shard into its own attempt directory. Nothing outside that directory is
 * touched, so a retried or speculative attempt can never overwrite another one.
 */
public final class ShardUploader {
  private ShardUploader() {}

  /**
   * @param writer names the writer in the manifest's writer_info (e.g. "in-process", "beam")
   * @param startNanos when building this shard started, for the reported duration
   * @param previous the same shard in the snapshot being replaced, or null; when its contents
   *     are identical (same content hash and row count) nothing is uploaded and the attempt
   *     points at the previous files, so readers keep their local copy too
   */
  public static ShardAttempt upload(ObjectStore store, String runId, String attempt,
      BuiltShard shard, KeyEncoding encoding, String writer, long startNanos,
      ShardMeta previous) {
    long durationMs;
    if (previous != null && shard.contentHash().equals(previous.contentHash())
        && shard.rowCount() == previous.rowCount()) {
      durationMs = (System.nanoTime() - startNanos) / 1_000_000;
      return new ShardAttempt(shard.dbId(), previous.attempt(), previous.dbUrl(),
          previous.rowCount(), previous.dbBytes(), shard.recordBytes(), previous.minKey(), previous.maxKey(),
          previous.files(), writer, HostName.get(), durationMs, previous.contentHash(),
          previous.checkpointId());
    }
    String dir = SnapshotLayout.attemptDir(runId, shard.dbId(), attempt);
    for (ShardFile f : shard.files()) {
      store.putFile(dir + "/" + f.name(), shard.dir().resolve(f.name()));
    }
    durationMs = (System.nanoTime() - startNanos) / 1_000_000;
    return new ShardAttempt(shard.dbId(), attempt, store.url(dir), shard.rowCount(),
        shard.dbBytes(), shard.recordBytes(), encoding.toJsonValue(shard.minKey()),
        encoding.toJsonValue(shard.maxKey()), shard.files(), writer, HostName.get(),
        durationMs, shard.contentHash(), RunIds.newCheckpointId());
  }
}
