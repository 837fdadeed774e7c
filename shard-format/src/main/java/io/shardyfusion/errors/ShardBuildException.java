package io.shardyfusion.errors;

/** Building a shard's RocksDB files failed (local disk full, RocksDB error). */
public class ShardBuildException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public ShardBuildException(String message, boolean retryable, Throwable cause) {
    super(message, retryable, cause);
  }
}
