package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/** Builds the router a sharding spec describes. */
public final class ShardRouters {
  /** How many missing ids a gap error lists before it only counts them. */
  private static final int MAX_LISTED_GAPS = 20;

  private ShardRouters() {}

  /**
   * A router for {@code spec} over {@code numDbs} shards.
   *
   * @param keyEncoding types the {@code key} variable of key-only CEL expressions (integer
   *     encodings → {@code int}, utf8 → {@code string}, raw → {@code bytes})
   * @throws ConfigValidationException if numDbs is not positive, a CEL expression does not
   *     compile or yields a type that cannot route, or numDbs differs from boundaries + 1
   */
  public static ShardRouter create(ShardingSpec spec, int numDbs, KeyEncoding keyEncoding) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(keyEncoding, "keyEncoding");
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

  /**
   * A router for a CEL spec whose shard count is not known before writing: the expression yields
   * shard ids directly and the count is whatever ids the data produces. The router's
   * {@link ShardRouter#numDbs()} is {@code -1} and {@code route} rejects only negative ids (and
   * ids above {@code Integer.MAX_VALUE}); once every key is routed, pass the ids seen to
   * {@link #checkDiscoveredIds} to get numDbs. A CEL spec with boundaries implies its count, so
   * this returns the ordinary router for it.
   *
   * @throws ConfigValidationException for the HASH strategy, which needs numDbs up front
   */
  public static ShardRouter createDiscovering(ShardingSpec spec, KeyEncoding keyEncoding) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(keyEncoding, "keyEncoding");
    if (spec.strategy() != ShardingStrategy.CEL) {
      throw new ConfigValidationException("numDbs can only be discovered for the CEL strategy; "
          + spec + " needs numDbs > 0");
    }
    if (spec.boundaries() != null) {
      return create(spec, spec.impliedNumDbs(), keyEncoding);
    }
    return CelShardRouter.compile(spec, CelShardRouter.DISCOVERING, keyEncoding);
  }

  /**
   * The shard count implied by the ids a {@linkplain #createDiscovering discovering router}
   * produced: {@code max + 1}, provided every id in {@code 0..max} occurred.
   *
   * @param usedIds the shard ids produced (bit i set: id i was produced)
   * @param celExpr the expression, quoted in errors
   * @throws RoutingException if no id was produced, or some id below the largest never was
   */
  public static int checkDiscoveredIds(BitSet usedIds, String celExpr) {
    Objects.requireNonNull(usedIds, "usedIds");
    if (usedIds.isEmpty()) {
      throw new RoutingException("CEL expression '" + celExpr + "' produced no shard ids "
          + "(no keys were routed), so numDbs cannot be discovered; give numDbs explicitly");
    }
    int max = usedIds.length() - 1;
    int missingCount = max + 1 - usedIds.cardinality();
    if (missingCount == 0) {
      return max + 1;
    }
    List<Integer> missing = new ArrayList<>();
    for (int id = usedIds.nextClearBit(0); id < max && missing.size() < MAX_LISTED_GAPS;
        id = usedIds.nextClearBit(id + 1)) {
      missing.add(id);
    }
    throw new RoutingException("gapped shard ids: CEL expression '" + celExpr + "' produced ids"
        + " up to " + max + " but missing ids " + missing
        + (missingCount > missing.size() ? " and " + (missingCount - missing.size()) + " more"
            : "")
        + " (" + missingCount + " of " + (max + 1) + " missing); CEL shard ids must be "
        + "consecutive from 0");
  }
}
