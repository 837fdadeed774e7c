package io.shardyfusion.errors;

/**
 * A categorical CEL expression yielded a token that is not among the snapshot's routing values.
 * Writers fail with it (the token names no shard); readers treat it as a miss: no shard can
 * hold the key. Not retryable.
 */
public class UnknownRoutingValueException extends RoutingException {
  private static final long serialVersionUID = 1L;

  public UnknownRoutingValueException(String message) {
    super(message);
  }
}
