package io.shardyfusion.transforms;

import io.shardyfusion.ratelimit.TokenBucket;
import io.shardyfusion.writer.sort.RecordCursor;
import java.io.Serializable;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link ShardedWrite}'s write rate limits, applied where a shard task feeds its merged records
 * into the shard builder. A limit is the job's total; each shard task takes an equal part of it,
 * {@code total / shardTasks}, where {@code shardTasks} is the number of non-empty shards of the
 * run (one task each). The tasks never talk to each other, so this is what keeps the total
 * within the limit when every shard task runs at once; when the runner runs only {@code p} of
 * them at a time, the job writes at most {@code p / shardTasks} of the limit.
 *
 * <p>A row costs one token of the rows bucket; a record costs {@code max(1, key + value
 * bytes)} tokens of the bytes bucket. Each bucket banks at most one second of its rate.
 */
final class ShardWriteLimit implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Makes a task's buckets; tests pass a fake clock so that no test sleeps. */
  interface Buckets extends Serializable {
    TokenBucket perSecond(double rate);
  }

  /** Buckets on the system clock that park the thread while they wait. */
  static final Buckets REAL = rate -> new TokenBucket(rate, System::nanoTime,
      LockSupport::parkNanos);

  private final long maxWritesPerSecond;
  private final long maxWriteBytesPerSecond;
  private final Buckets buckets;

  ShardWriteLimit(long maxWritesPerSecond, long maxWriteBytesPerSecond, Buckets buckets) {
    this.maxWritesPerSecond = maxWritesPerSecond;
    this.maxWriteBytesPerSecond = maxWriteBytesPerSecond;
    this.buckets = buckets;
  }

  boolean isLimited() {
    return maxWritesPerSecond > 0 || maxWriteBytesPerSecond > 0;
  }

  long maxWritesPerSecond() {
    return maxWritesPerSecond;
  }

  long maxWriteBytesPerSecond() {
    return maxWriteBytesPerSecond;
  }

  /** One shard task's part of {@code total}: {@code total / shardTasks}. */
  static double perTask(long total, long shardTasks) {
    return (double) total / Math.max(1, shardTasks);
  }

  /** {@code sorted}, paced to this task's part of the limits; closing it closes {@code sorted}. */
  RecordCursor limit(RecordCursor sorted, long shardTasks) {
    if (!isLimited()) {
      return sorted;
    }
    TokenBucket rows = maxWritesPerSecond > 0
        ? buckets.perSecond(perTask(maxWritesPerSecond, shardTasks)) : null;
    TokenBucket bytes = maxWriteBytesPerSecond > 0
        ? buckets.perSecond(perTask(maxWriteBytesPerSecond, shardTasks)) : null;
    return new RecordCursor() {
      @Override
      public boolean next() {
        if (!sorted.next()) {
          return false;
        }
        if (rows != null) {
          rows.acquire(1);
        }
        if (bytes != null) {
          bytes.acquire(Math.max(1, sorted.key().length + sorted.value().length));
        }
        return true;
      }

      @Override
      public byte[] key() {
        return sorted.key();
      }

      @Override
      public byte[] value() {
        return sorted.value();
      }

      @Override
      public void close() {
        sorted.close();
      }
    };
  }
}
