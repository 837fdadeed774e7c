package io.shardyfusion.errors;

/** A key routed to a shard id outside {@code 0..numDbs-1}, or a CEL expression that failed at evaluation. Never retryable. */
public class RoutingException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public RoutingException(String message) {
    super(message, false);
  }

  public RoutingException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
