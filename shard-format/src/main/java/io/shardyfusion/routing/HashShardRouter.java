package io.shardyfusion.routing;

import java.util.Map;

/** {@code xxh3_64(canonical bytes) mod numDbs}, the Python system's HASH routing. */
final class HashShardRouter implements ShardRouter {
  private final int numDbs;

  HashShardRouter(int numDbs) {
    this.numDbs = numDbs;
  }

  @Override
  public int numDbs() {
    return numDbs;
  }

  @Override
  public int route(Object key) {
    return ShardHash.shardOf(ShardHash.digest(key), numDbs);
  }

  @Override
  public int route(Object key, Map<String, ?> routingContext) {
    return route(key);
  }
}
