package io.shardyfusion.reader;

/**
 * Told about refreshes, from whichever thread ran them (the background refresher, or a caller
 * of {@link ShardedReader#refresh()}). Keep implementations quick and non-throwing.
 */
public interface RefreshListener {

  /** A new snapshot is being served. */
  default void onRefreshed(SnapshotInfo previous, SnapshotInfo current) {}

  /** A refresh failed; the previous snapshot keeps serving. */
  default void onRefreshFailed(Exception error) {}
}
