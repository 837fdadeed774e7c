package io.shardyfusion.errors;

/**
 * An object store call that failed. Throttling, 5xx answers, timeouts and connection failures are
 * retryable (the SDK has already retried them with backoff); access denied, a missing bucket or a
 * malformed URL are not.
 */
public class StorageException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, boolean retryable) {
    super(message, retryable);
  }

  public StorageException(String message, boolean retryable, Throwable cause) {
    super(message, retryable, cause);
  }
}
