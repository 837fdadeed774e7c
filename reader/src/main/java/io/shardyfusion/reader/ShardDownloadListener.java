package io.shardyfusion.reader;

/**
 * Told as a reader makes a snapshot's shards local (download, or reuse of an intact local
 * copy), e.g. to draw a progress bar. Called on the thread that opens or refreshes the reader,
 * once per shard with data, in manifest order; a snapshot with no data shards makes no call.
 * Must be quick and must not throw: an exception fails the open or refresh.
 */
@FunctionalInterface
public interface ShardDownloadListener {

  /**
   * @param done shards local so far, 1..total
   * @param total shards with data in the snapshot being loaded
   * @param bytesDone the manifest's {@code db_bytes} of those {@code done} shards
   */
  void shardLoaded(int done, int total, long bytesDone);

  /** A listener that ignores every call (the default). */
  ShardDownloadListener NONE = (done, total, bytesDone) -> { };
}
