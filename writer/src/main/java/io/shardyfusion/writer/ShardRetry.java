package io.shardyfusion.writer;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ShardyfusionException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How often the in-process {@link SnapshotWriter} tries one shard again after its build or
 * upload failed, each time into a fresh attempt directory: the Python system's
 * {@code WriteConfig.shard_retry} ({@code RetryConfig(max_retries, initial_backoff,
 * backoff_multiplier)}; unset there means one attempt, as {@link #NONE} here).
 *
 * <pre>{@code
 * WriteConfig.builder()...shardRetry(ShardRetry.of(2, Duration.ofSeconds(1))).build();
 * }</pre>
 *
 * <p>Only failures that may pass are retried: a {@link ShardyfusionException} whose {@link
 * ShardyfusionException#retryable() retryable()} is true (a throttled or failed S3 request
 * after the SDK's own retries, a dropped connection). Duplicate keys, bad keys and other
 * non-retryable errors fail the run at once, as does any exception that is not ours (its
 * nature is unknown; Python does the same). Attempts that failed leave their directory behind
 * until publish deletes every losing attempt of the run (or the failed run deletes all its
 * uploads). The Beam transform does not use this: its runner retries failed bundles.
 *
 * @param maxRetries tries after the first, per shard (0: no retry)
 * @param initialBackoff wait before the first retry
 * @param backoffMultiplier factor applied to the wait before each further retry (>= 1)
 */
public record ShardRetry(int maxRetries, Duration initialBackoff, double backoffMultiplier)
    implements Serializable {
  /** One attempt per shard: the Python system's default. */
  public static final ShardRetry NONE = new ShardRetry(0, Duration.ZERO, 1.0);

  /** Longest single wait; keeps a large multiplier from sleeping for hours. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  public ShardRetry {
    if (maxRetries < 0 || maxRetries > 100) {
      throw new ConfigValidationException("shardRetry maxRetries must be in 0..100, got "
          + maxRetries);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    if (initialBackoff.isNegative()) {
      throw new ConfigValidationException("shardRetry initialBackoff must be >= 0, got "
          + initialBackoff);
    }
    if (!(backoffMultiplier >= 1.0) || Double.isInfinite(backoffMultiplier)) {
      throw new ConfigValidationException("shardRetry backoffMultiplier must be a finite "
          + "number >= 1, got " + backoffMultiplier);
    }
  }

  /** {@code maxRetries} retries, the wait doubling from {@code initialBackoff}. */
  public static ShardRetry of(int maxRetries, Duration initialBackoff) {
    return new ShardRetry(maxRetries, initialBackoff, 2.0);
  }

  /** Attempts per shard, the first included. */
  public int maxAttempts() {
    return 1 + maxRetries;
  }

  /**
   * Whether a shard whose attempts have failed {@code failures} times so far (this failure
   * included) gets another attempt.
   */
  public boolean shouldRetry(Throwable failure, int failures) {
    return failures <= maxRetries && failure instanceof ShardyfusionException e && e.retryable();
  }

  /** The wait before retry number {@code retry} (1 for the first retry). */
  public Duration backoffBefore(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be >= 1, got " + retry);
    }
    double millis = initialBackoff.toMillis() * Math.pow(backoffMultiplier, retry - 1);
    return millis >= MAX_BACKOFF.toMillis() ? MAX_BACKOFF : Duration.ofMillis(Math.round(millis));
  }
}
