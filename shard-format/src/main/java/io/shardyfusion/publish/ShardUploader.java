package io.shardyfusion.publish;

import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.shard.BuiltShard;
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
   */
  public static ShardAttempt upload(ObjectStore store, String runId, String attempt,
      BuiltShard shard, KeyEncoding encoding, String writer, long startNanos) {
    String dir = SnapshotLayout.attemptDir(runId, shard.dbId(), attempt);
    for (ShardFile f : shard.files()) {
      store.putFile(dir + "/" + f.name(), shard.dir().resolve(f.name()));
    }
    return new ShardAttempt(shard.dbId(), attempt, store.url(dir), shard.rowCount(),
        shard.dbBytes(), encoding.toJsonValue(shard.minKey()),
        encoding.toJsonValue(shard.maxKey()), shard.files(), writer, HostName.get(),
        (System.nanoTime() - startNanos) / 1_000_000);
  }
}
