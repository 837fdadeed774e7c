package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import java.util.Locale;

/** How keys are spread over shards. */
public enum ShardingStrategy {
  /** {@code xxh3_64(canonical key bytes) mod numDbs}. */
  HASH,
  /** A CEL expression yields the shard id, or a value placed among {@code boundaries}. */
  CEL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ShardingStrategy fromWireName(String name) {
    for (ShardingStrategy s : values()) {
      if (s.wireName().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new ConfigValidationException(
        "sharding strategy '" + name + "' is not supported; use 'hash' or 'cel'");
  }
}
