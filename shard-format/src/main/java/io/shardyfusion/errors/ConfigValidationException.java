package io.shardyfusion.errors;

/** Invalid configuration: a value out of range, a missing setting, a CEL expression that does not compile. Never retryable: the configuration has to change. */
public class ConfigValidationException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public ConfigValidationException(String message) {
    super(message, false);
  }

  public ConfigValidationException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
