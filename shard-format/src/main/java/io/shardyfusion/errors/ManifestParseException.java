package io.shardyfusion.errors;

/** A manifest or {@code _CURRENT} pointer that is not valid JSON or breaks the schema. Never retryable: the document itself is wrong. */
public class ManifestParseException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public ManifestParseException(String message) {
    super(message, false);
  }

  public ManifestParseException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
