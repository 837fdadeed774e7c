package io.shardyfusion.routing;

import java.util.Map;

/**
 * Maps a key to its shard id in {@code 0..numDbs()-1}. Implementations are immutable and
 * thread-safe; the same implementation serves every writer and the reader, so a key lands where
 * a reader will look for it.
 */
public interface ShardRouter {

  /** Number of shards this router spreads keys over. */
  int numDbs();

  /**
   * Shard id of a normalized key ({@code Long}, {@code String} or {@code byte[]}, see
   * {@link KeyEncoding#normalize}).
   *
   * @throws io.shardyfusion.errors.RoutingException when the routing yields an id outside
   *     {@code 0..numDbs()-1}, or the sharding needs a routing context
   */
  int route(Object key);

  /**
   * Shard id of a key whose routing reads other columns (multi-column CEL). Routers that only
   * read the key ignore the context.
   */
  int route(Object key, Map<String, ?> routingContext);
}
