package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.Serializable;
import java.util.BitSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * How many shards a snapshot has, and when that is known: a fixed count, one derived from the
 * row count ({@code ceil(rows / maxKeysPerShard)}), the count CEL boundaries imply, or the
 * count discovered from the ids a CEL expression yields.
 *
 * <p>Two operations take a count to its final number: {@link #resolve} (before routing: counts
 * rows when the count depends on them) and {@link #settle} (after routing: reads the ids the
 * records were routed to when the count is discovered).
 *
 * <pre>{@code
 * ShardCount count = ShardCount.perMaxKeys(1_000_000);
 * ShardCount resolved = count.resolve(() -> rows);          // Fixed(ceil(rows / 1e6))
 * ShardRouter router = resolved.router(spec, encoding);
 * int numDbs = resolved.settle(usedIds, spec.celExpr());      // the manifest's num_dbs
 * }</pre>
 */
public sealed interface ShardCount extends Serializable {
  /** The most shards one snapshot may have. */
  int MAX_NUM_DBS = 65_536;

  /** Exactly {@code numDbs} shards. */
  static Fixed fixed(int numDbs) {
    return new Fixed(numDbs);
  }

  /** {@code ceil(rows / maxKeysPerShard)} shards, at least one (HASH sharding). */
  static PerMaxKeys perMaxKeys(long maxKeysPerShard) {
    return new PerMaxKeys(maxKeysPerShard);
  }

  /** Boundaries + 1 shards, as a CEL spec's boundaries imply. */
  static ShardCount fromBoundaries(ShardingSpec spec) {
    return new FromBoundaries(spec.impliedNumDbs());
  }

  /** As many shards as the largest id the CEL expression yields, plus one. */
  static ShardCount discovered(String celExpr) {
    return new Discovered(celExpr);
  }

  /** The count when it is known before any record is read; empty when it depends on data. */
  OptionalInt known();

  /** Whether {@link #resolve} needs the row count ({@link PerMaxKeys} only). */
  default boolean needsRowCount() {
    return false;
  }

  /**
   * The count with the row count applied: a {@link PerMaxKeys} becomes {@link Fixed} (calling
   * {@code rows} once); every other count is returned as it is, without calling it.
   *
   * @throws ConfigValidationException if the rows need more than {@link #MAX_NUM_DBS} shards
   */
  default ShardCount resolve(LongSupplier rows) {
    return this;
  }

  /**
   * The router that spreads keys over this count, which must be resolved; a discovered count
   * gets the {@linkplain ShardRouters#createDiscovering discovering router}.
   */
  default ShardRouter router(ShardingSpec spec, KeyEncoding encoding) {
    return ShardRouters.create(spec, known().orElseThrow(() -> new ConfigValidationException(
        this + " is not resolved; call resolve(rows) first")), encoding);
  }

  /**
   * The final shard count, once every record is routed.
   *
   * @param usedIds the shard ids records were routed to (only a discovered count reads them)
   * @throws io.shardyfusion.errors.RoutingException if a discovered count finds no ids or gaps
   */
  default int settle(BitSet usedIds) {
    return known().orElseThrow(() -> new ConfigValidationException(this + " is not resolved"));
  }

  /** An explicit shard count. */
  record Fixed(int numDbs) implements ShardCount {
    public Fixed {
      if (numDbs <= 0 || numDbs > MAX_NUM_DBS) {
        throw new ConfigValidationException("numDbs must be in 1.." + MAX_NUM_DBS + ", got "
            + numDbs);
      }
    }

    @Override
    public OptionalInt known() {
      return OptionalInt.of(numDbs);
    }
  }

  /** {@code ceil(rows / maxKeysPerShard)}: known once the rows are counted. */
  record PerMaxKeys(long maxKeysPerShard) implements ShardCount {
    public PerMaxKeys {
      if (maxKeysPerShard <= 0) {
        throw new ConfigValidationException("maxKeysPerShard must be > 0, got "
            + maxKeysPerShard);
      }
    }

    @Override
    public OptionalInt known() {
      return OptionalInt.empty();
    }

    @Override
    public boolean needsRowCount() {
      return true;
    }

    @Override
    public ShardCount resolve(LongSupplier rows) {
      return new Fixed(forRows(rows.getAsLong()));
    }

    /** {@code ceil(rows / maxKeysPerShard)}, at least 1. */
    public int forRows(long rows) {
      long n = Math.max(1, (rows + maxKeysPerShard - 1) / maxKeysPerShard);
      if (n > MAX_NUM_DBS) {
        throw new ConfigValidationException(rows + " rows at maxKeysPerShard="
            + maxKeysPerShard + " need " + n + " shards, more than " + MAX_NUM_DBS
            + "; raise maxKeysPerShard");
      }
      return (int) n;
    }
  }

  /** The count a CEL spec's boundaries imply. */
  record FromBoundaries(int numDbs) implements ShardCount {
    @Override
    public OptionalInt known() {
      return OptionalInt.of(numDbs);
    }
  }

  /** Discovered from the ids the CEL expression yields: known only after routing. */
  record Discovered(String celExpr) implements ShardCount {
    public Discovered {
      Objects.requireNonNull(celExpr, "celExpr");
    }

    @Override
    public OptionalInt known() {
      return OptionalInt.empty();
    }

    @Override
    public ShardRouter router(ShardingSpec spec, KeyEncoding encoding) {
      return ShardRouters.createDiscovering(spec, encoding);
    }

    @Override
    public int settle(BitSet usedIds) {
      return ShardRouters.checkDiscoveredIds(usedIds, celExpr);
    }
  }
}
