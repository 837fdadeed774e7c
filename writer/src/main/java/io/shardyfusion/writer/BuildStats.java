package io.shardyfusion.writer;

import java.io.Serializable;

/**
 * Figures of one build, with a fixed shape so that they can be logged and compared.
 *
 * @param rowsWritten records in the snapshot
 * @param bytesWritten key + value bytes in the snapshot (before compression)
 * @param numAttemptResults shard attempts reported (more than winners after retries)
 * @param shardingMs routing and sorting the input
 * @param writeMs building and uploading shards
 * @param manifestMs writing manifest and _CURRENT
 * @param totalMs end to end
 */
public record BuildStats(long rowsWritten, long bytesWritten, int numDbs, int numWinners,
    int numAttemptResults, long shardingMs, long writeMs, long manifestMs, long totalMs)
    implements Serializable {

  /** Rows per second end to end. */
  public double rowsPerSecond() {
    return totalMs == 0 ? rowsWritten * 1000.0 : rowsWritten * 1000.0 / totalMs;
  }
}
