package io.shardyfusion.errors;

/**
 * Root of every error shardyfusion raises on purpose.
 *
 * <p>{@link #retryable()} tells a caller (or an orchestrator such as Airflow, or a Beam runner's
 * bundle retry) whether running the same operation again may succeed: an unreachable endpoint or
 * a throttled request is retryable, a malformed manifest or a duplicate key is not.
 */
public class ShardyfusionException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public ShardyfusionException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public ShardyfusionException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether the same call may succeed if tried again unchanged. */
  public boolean retryable() {
    return retryable;
  }
}
