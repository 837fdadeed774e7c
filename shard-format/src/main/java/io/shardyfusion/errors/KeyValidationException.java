package io.shardyfusion.errors;

/** A key that cannot be stored or routed: null, the wrong type for the key encoding, or out of range. Never retryable. */
public class KeyValidationException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public KeyValidationException(String message) {
    super(message, false);
  }

  public KeyValidationException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
