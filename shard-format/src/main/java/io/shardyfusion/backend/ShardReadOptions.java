package io.shardyfusion.backend;

import io.shardyfusion.errors.ConfigValidationException;

/**
 * What a reader asks of its backend's resources.
 *
 * @param cacheBytes memory for cached blocks or pages shared by all open shards; 0 for none
 */
public record ShardReadOptions(long cacheBytes) {

  public ShardReadOptions {
    if (cacheBytes < 0) {
      throw new ConfigValidationException("cacheBytes must be >= 0, got " + cacheBytes);
    }
  }

  public static ShardReadOptions defaults() {
    return new ShardReadOptions(0);
  }
}
