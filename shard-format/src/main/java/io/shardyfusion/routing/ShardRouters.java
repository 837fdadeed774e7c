package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;

/** Builds the router a sharding spec describes. */
public final class ShardRouters {
  private ShardRouters() {}

  /**
   * A router for {@code spec} over {@code numDbs} shards.
   *
   * @param keyEncoding types the {@code key} variable of key-only CEL expressions (integer
   *     encodings → {@code int}, utf8 → {@code string}, raw → {@code bytes})
   */
  public static ShardRouter create(ShardingSpec spec, int numDbs, KeyEncoding keyEncoding) {
    if (numDbs <= 0) {
      throw new ConfigValidationException("numDbs must be > 0, got " + numDbs);
    }
    switch (spec.strategy()) {
      case HASH:
        return new HashShardRouter(numDbs);
      case CEL:
        return CelShardRouter.compile(spec, numDbs, keyEncoding);
      default:
        throw new AssertionError(spec.strategy());
    }
  }

  /** Placeholder until CEL discovery lands. */
  public static ShardRouter createDiscovering(ShardingSpec spec, KeyEncoding keyEncoding) {
    throw new UnsupportedOperationException("CEL discovery is not built yet");
  }

  /** Placeholder until CEL discovery lands. */
  public static int checkDiscoveredIds(java.util.BitSet usedIds, String celExpr) {
    throw new UnsupportedOperationException("CEL discovery is not built yet");
  }
}
