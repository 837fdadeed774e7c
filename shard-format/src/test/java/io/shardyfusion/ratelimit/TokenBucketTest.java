package io.shardyfusion.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  /** A clock that only moves when the bucket sleeps: the waits are the whole story. */
  private static final class FakeTime {
    long now;
    long slept;
  }

  private static TokenBucket bucket(double rate, FakeTime t) {
    return new TokenBucket(rate, () -> t.now, n -> {
      t.now += n;
      t.slept += n;
    });
  }

  @Test
  void acquiringAtTwiceTheRateWaitsForTheDifference() {
    FakeTime t = new FakeTime();
    TokenBucket bucket = bucket(1000, t);
    for (int i = 0; i < 2000; i++) {
      bucket.acquire(1);
    }
    // 2000 tokens at 1000/s from an empty bucket take 2 s of waiting, give or take a token.
    assertThat(t.slept).isBetween(1_998_000_000L, 2_001_000_000L);
  }

  @Test
  void timeThatPassedOutsideTheBucketIsCreditedUpToOneSecond() {
    FakeTime t = new FakeTime();
    TokenBucket bucket = bucket(100, t);
    t.now += 5_000_000_000L; // idle for 5 s: only 1 s (100 tokens) may be banked
    for (int i = 0; i < 100; i++) {
      bucket.acquire(1);
    }
    assertThat(t.slept).isZero();
    bucket.acquire(50);
    assertThat(t.slept).isBetween(499_000_000L, 501_000_000L);
  }

  @Test
  void acquireReportsHowLongItWaited() {
    FakeTime t = new FakeTime();
    TokenBucket bucket = bucket(100, t);
    t.now += 1_000_000_000L; // a full bucket
    assertThat(bucket.acquire(100)).as("no wait").isZero();
    long before = t.slept;
    long waited = bucket.acquire(10);
    assertThat(waited).isEqualTo(t.slept - before).isBetween(99_000_000L, 101_000_000L);
  }
}
