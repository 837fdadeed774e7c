package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.ratelimit.TokenBucket;
import io.shardyfusion.writer.sort.RecordCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The write limits: a job total divided over the shard tasks, consulted for every record. */
class ShardWriteLimitTest {
  /** A clock that only moves when the limiter sleeps: time taken = time the limit imposed. */
  static final class ManualClock implements LongSupplier, TokenBucket.Sleeper {
    long nanos;

    @Override
    public long getAsLong() {
      return nanos;
    }

    @Override
    public void sleepNanos(long n) {
      nanos += n;
    }
  }

  /** {@code n} records of a 4-byte key and a {@code valueBytes}-byte value. */
  private static RecordCursor records(int n, int valueBytes) {
    return new RecordCursor() {
      int i;

      @Override
      public boolean next() {
        return i++ < n;
      }

      @Override
      public byte[] key() {
        return new byte[] {0, 0, (byte) (i >> 8), (byte) i};
      }

      @Override
      public byte[] value() {
        return new byte[valueBytes];
      }

      @Override
      public void close() {}
    };
  }

  private static long drain(RecordCursor c) {
    long n = 0;
    try (c) {
      while (c.next()) {
        n++;
      }
    }
    return n;
  }

  @Test
  void eachShardTaskTakesTheTotalDividedByTheShardTasks() {
    assertThat(ShardWriteLimit.perTask(1000, 8)).isEqualTo(125.0);
    assertThat(ShardWriteLimit.perTask(1000, 3)).isEqualTo(1000 / 3.0);
    assertThat(ShardWriteLimit.perTask(1000, 0)).as("no shard tasks counted: the whole limit")
        .isEqualTo(1000.0);
  }

  @Test
  void rowsArePacedToTheTaskShareOfTheLimit() {
    ManualClock clock = new ManualClock();
    List<Double> rates = new ArrayList<>();
    ShardWriteLimit limit = new ShardWriteLimit(1000, 0, rate -> {
      rates.add(rate);
      return new TokenBucket(rate, clock, clock);
    });
    // 4 shard tasks: 250 rows/s each; 500 rows take 2 s of limiter time (the bucket starts empty).
    assertThat(drain(limit.limit(records(500, 10), 4))).isEqualTo(500);
    assertThat(rates).containsExactly(250.0);
    assertThat(clock.nanos).isBetween(TimeUnit.MILLISECONDS.toNanos(1995),
        TimeUnit.MILLISECONDS.toNanos(2005));
  }

  @Test
  void bytesCountKeyPlusValueOfEveryRecord() {
    ManualClock clock = new ManualClock();
    ShardWriteLimit limit = new ShardWriteLimit(0, 8_000,
        rate -> new TokenBucket(rate, clock, clock));
    // 2 tasks: 4000 B/s each; 100 records of 4 + 36 bytes = 4000 bytes: one second.
    assertThat(drain(limit.limit(records(100, 36), 2))).isEqualTo(100);
    assertThat(clock.nanos).isBetween(TimeUnit.MILLISECONDS.toNanos(995),
        TimeUnit.MILLISECONDS.toNanos(1005));
  }

  @Test
  void withoutLimitsTheCursorIsUntouched() {
    RecordCursor c = records(3, 1);
    assertThat(new ShardWriteLimit(0, 0, rate -> {
      throw new AssertionError("no bucket without a limit");
    }).limit(c, 4)).isSameAs(c);
  }
}
