package io.shardyfusion.cli;

/**
 * A mistake in what the user typed (a bad option value, a key that does not fit the snapshot's
 * key encoding, an unreadable credentials file): exit code 2, as picocli's own parameter errors.
 */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
