package io.shardyfusion.routing;

import java.util.Map;

/** Placeholder: CEL routing is being written. */
final class CelShardRouter implements ShardRouter {
  static ShardRouter compile(ShardingSpec spec, int numDbs, KeyEncoding keyEncoding) {
    throw new UnsupportedOperationException("CEL routing is not built yet");
  }

  @Override
  public int numDbs() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int route(Object key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int route(Object key, Map<String, ?> routingContext) {
    throw new UnsupportedOperationException();
  }
}
