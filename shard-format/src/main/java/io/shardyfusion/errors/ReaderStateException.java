package io.shardyfusion.errors;

/** A reader call made after {@code close()}, or before any snapshot could be loaded. */
public class ReaderStateException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public ReaderStateException(String message) {
    super(message, false);
  }
}
