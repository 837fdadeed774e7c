package io.shardyfusion.writer;

import java.io.Serializable;
import java.util.Objects;

/**
 * Figures of one build, with a fixed shape so that they can be logged and compared. Made by
 * {@link RunLifecycle} when a run publishes, the same way for every writer; build one with
 * {@link #builder()}.
 *
 * <ul>
 *   <li>{@code rowsWritten}: records in the snapshot
 *   <li>{@code bytesWritten}: key + value bytes in the snapshot (before compression)
 *   <li>{@code numDbs}: the snapshot's shard count; {@code numWinners}: its non-empty shards
 *   <li>{@code numAttemptResults}: shard attempts reported (more than winners after retries)
 *   <li>{@code shardingMs}: routing and sorting the input (0 where a runner does it)
 *   <li>{@code writeMs}: building and uploading shards
 *   <li>{@code manifestMs}: writing manifest and _CURRENT
 *   <li>{@code totalMs}: end to end
 * </ul>
 */
public final class BuildStats implements Serializable {
  private static final long serialVersionUID = 2L;

  private final long rowsWritten;
  private final long bytesWritten;
  private final int numDbs;
  private final int numWinners;
  private final int numAttemptResults;
  private final long shardingMs;
  private final long writeMs;
  private final long manifestMs;
  private final long totalMs;

  private BuildStats(Builder b) {
    this.rowsWritten = b.rowsWritten;
    this.bytesWritten = b.bytesWritten;
    this.numDbs = b.numDbs;
    this.numWinners = b.numWinners;
    this.numAttemptResults = b.numAttemptResults;
    this.shardingMs = b.shardingMs;
    this.writeMs = b.writeMs;
    this.manifestMs = b.manifestMs;
    this.totalMs = b.totalMs;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().rowsWritten(rowsWritten).bytesWritten(bytesWritten).numDbs(numDbs)
        .numWinners(numWinners).numAttemptResults(numAttemptResults).shardingMs(shardingMs)
        .writeMs(writeMs).manifestMs(manifestMs).totalMs(totalMs);
  }

  public long rowsWritten() {
    return rowsWritten;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public int numDbs() {
    return numDbs;
  }

  public int numWinners() {
    return numWinners;
  }

  public int numAttemptResults() {
    return numAttemptResults;
  }

  public long shardingMs() {
    return shardingMs;
  }

  public long writeMs() {
    return writeMs;
  }

  public long manifestMs() {
    return manifestMs;
  }

  public long totalMs() {
    return totalMs;
  }

  /** Rows per second end to end. */
  public double rowsPerSecond() {
    return totalMs == 0 ? rowsWritten * 1000.0 : rowsWritten * 1000.0 / totalMs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BuildStats s && rowsWritten == s.rowsWritten
        && bytesWritten == s.bytesWritten && numDbs == s.numDbs && numWinners == s.numWinners
        && numAttemptResults == s.numAttemptResults && shardingMs == s.shardingMs
        && writeMs == s.writeMs && manifestMs == s.manifestMs && totalMs == s.totalMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(rowsWritten, bytesWritten, numDbs, numWinners, numAttemptResults,
        shardingMs, writeMs, manifestMs, totalMs);
  }

  @Override
  public String toString() {
    return "BuildStats[rowsWritten=" + rowsWritten + ", bytesWritten=" + bytesWritten
        + ", numDbs=" + numDbs + ", numWinners=" + numWinners + ", numAttemptResults="
        + numAttemptResults + ", shardingMs=" + shardingMs + ", writeMs=" + writeMs
        + ", manifestMs=" + manifestMs + ", totalMs=" + totalMs + "]";
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
      return new BuildStats(this);
    }

    private static long check(String name, long value) {
      if (value < 0) {
        throw new IllegalArgumentException(name + " must be >= 0, got " + value);
      }
      return value;
    }
  }
}
