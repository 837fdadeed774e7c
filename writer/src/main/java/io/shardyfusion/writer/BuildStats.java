package io.shardyfusion.writer;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.Serializable;

/**
 * Figures of one build, with a fixed shape so that they can be logged and compared. Made by
 * {@link RunLifecycle} when a run publishes, the same way for every writer; make one with
 * {@link #builder()} (figures by name, never by position).
 *
 * @param rowsWritten records in the snapshot
 * @param bytesWritten key + value bytes in the snapshot (before compression)
 * @param numDbs the snapshot's shard count
 * @param numWinners its non-empty shards
 * @param numAttemptResults shard attempts reported (more than winners after retries)
 * @param shardingMs routing and sorting the input (0 where a runner does it)
 * @param writeMs building and uploading shards
 * @param manifestMs writing manifest and _CURRENT
 * @param totalMs end to end
 */
public record BuildStats(long rowsWritten, long bytesWritten, int numDbs, int numWinners,
    int numAttemptResults, long shardingMs, long writeMs, long manifestMs, long totalMs)
    implements Serializable {

  public static Builder builder() {
    return new Builder();
  }

  /** Rows per second end to end. */
  public double rowsPerSecond() {
    return totalMs == 0 ? rowsWritten * 1000.0 : rowsWritten * 1000.0 / totalMs;
  }

  /** Builder; every figure defaults to 0 and must not be negative. */
  public static final class Builder {
    private long rowsWritten;
    private long bytesWritten;
    private int numDbs;
    private int numWinners;
    private int numAttemptResults;
    private long shardingMs;
    private long writeMs;
    private long manifestMs;
    private long totalMs;

    private Builder() {}

    public Builder rowsWritten(long n) {
      this.rowsWritten = check("rowsWritten", n);
      return this;
    }

    public Builder bytesWritten(long n) {
      this.bytesWritten = check("bytesWritten", n);
      return this;
    }

    public Builder numDbs(int n) {
      this.numDbs = (int) check("numDbs", n);
      return this;
    }

    public Builder numWinners(int n) {
      this.numWinners = (int) check("numWinners", n);
      return this;
    }

    public Builder numAttemptResults(int n) {
      this.numAttemptResults = (int) check("numAttemptResults", n);
      return this;
    }

    public Builder shardingMs(long ms) {
      this.shardingMs = check("shardingMs", ms);
      return this;
    }

    public Builder writeMs(long ms) {
      this.writeMs = check("writeMs", ms);
      return this;
    }

    public Builder manifestMs(long ms) {
      this.manifestMs = check("manifestMs", ms);
      return this;
    }

    public Builder totalMs(long ms) {
      this.totalMs = check("totalMs", ms);
      return this;
    }

    public BuildStats build() {
      return new BuildStats(rowsWritten, bytesWritten, numDbs, numWinners, numAttemptResults,
          shardingMs, writeMs, manifestMs, totalMs);
    }

    private static long check(String name, long value) {
      if (value < 0) {
        throw new ConfigValidationException(name + " must be >= 0, got " + value);
      }
      return value;
    }
  }
}
