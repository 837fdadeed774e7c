package io.shardyfusion.ratelimit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A token bucket: {@code rate} tokens per second, at most one second's worth banked. Written
 * here rather than taken from Guava's {@code RateLimiter} because its clock cannot be injected,
 * and a rate limit that cannot be tested without sleeping cannot be tested honestly.
 * Thread-safe; callers queue on it in arrival order.
 */
public final class TokenBucket {
  /** Waits for a number of nanoseconds; the real one parks the thread. */
  public interface Sleeper {
    void sleepNanos(long nanos);
  }

  private final double ratePerNano;
  private final double capacity;
  private final LongSupplier clock;
  private final Sleeper sleeper;
  private double tokens;
  private long last;

  public TokenBucket(double perSecond, LongSupplier nanoClock, Sleeper sleeper) {
    this.ratePerNano = perSecond / TimeUnit.SECONDS.toNanos(1);
    this.capacity = Math.max(1, perSecond);
    this.clock = nanoClock;
    this.sleeper = sleeper;
    this.last = nanoClock.getAsLong();
    this.tokens = 0;
  }

  public static TokenBucket perSecond(double rate) {
    return new TokenBucket(rate, System::nanoTime, LockSupport::parkNanos);
  }

  /**
   * Takes {@code n} tokens, waiting until the bucket has them.
   *
   * @return how long this call waited for tokens, in nanoseconds (0 = it did not wait), for
   *     rate-limit metrics
   */
  public synchronized long acquire(long n) {
    refill();
    tokens -= n;
    if (tokens >= 0) {
      return 0;
    }
    long wait = (long) Math.ceil(-tokens / ratePerNano);
    long start = last;
    long until = start + wait;
    for (long now = clock.getAsLong(); now < until; now = clock.getAsLong()) {
      sleeper.sleepNanos(until - now);
    }
    refill();
    return Math.max(1, last - start);
  }

  private void refill() {
    long now = clock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
    last = now;
  }
}
