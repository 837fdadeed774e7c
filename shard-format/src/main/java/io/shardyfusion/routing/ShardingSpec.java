package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The routing half of a snapshot's configuration, recorded in its manifest so that readers route
 * exactly as the writer did.
 *
 * <pre>{@code
 * ShardingSpec.hash();                                        // xxh3_64 mod numDbs
 * ShardingSpec.cel("shard_hash(key) % 16u");                  // key-only CEL, key typed by encoding
 * ShardingSpec.cel("key", List.of(1000L, 2000L));             // range shards: bisect_right
 * ShardingSpec.celColumns("shard_hash(region) % 8u",
 *     Map.of("region", "string"));                            // multi-column, needs a routing context
 * }</pre>
 */
public final class ShardingSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** CEL column types accepted in {@code celColumns}, as in the Python system. */
  public static final Set<String> CEL_COLUMN_TYPES =
      Set.of("int", "uint", "string", "bytes", "double", "bool");

  private final ShardingStrategy strategy;
  private final String celExpr;
  private final LinkedHashMap<String, String> celColumns; // null: key-only, typed from encoding
  private final ArrayList<Object> boundaries; // null: CEL yields the shard id
  private final ArrayList<Object> routingValues; // null: not categorical
  private final String hashAlgorithm;

  private ShardingSpec(ShardingStrategy strategy, String celExpr, Map<String, String> celColumns,
      List<?> boundaries, List<?> routingValues, String hashAlgorithm) {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.celExpr = celExpr;
    this.celColumns = celColumns == null ? null : new LinkedHashMap<>(celColumns);
    this.boundaries = boundaries == null ? null : new ArrayList<>(boundaries);
    this.routingValues = routingValues == null ? null : new ArrayList<>(routingValues);
    this.hashAlgorithm = hashAlgorithm;
    validate();
  }

  public static ShardingSpec hash() {
    return new ShardingSpec(ShardingStrategy.HASH, null, null, null, null, ShardHash.XXH3_64);
  }

  /** A CEL expression over {@code key} whose result is the shard id. */
  public static ShardingSpec cel(String expr) {
    return new ShardingSpec(ShardingStrategy.CEL, expr, null, null, null, ShardHash.XXH3_64);
  }

  /**
   * A CEL expression over {@code key} whose result is placed among sorted {@code boundaries}
   * with {@code bisect_right}: {@code boundaries.size() + 1} shards.
   */
  public static ShardingSpec cel(String expr, List<?> boundaries) {
    return new ShardingSpec(ShardingStrategy.CEL, expr, null, boundaries, null,
        ShardHash.XXH3_64);
  }

  /** A CEL expression over named, typed columns; lookups then need a routing context. */
  public static ShardingSpec celColumns(String expr, Map<String, String> columns) {
    return new ShardingSpec(ShardingStrategy.CEL, expr, columns, null, null, ShardHash.XXH3_64);
  }

  public static ShardingSpec celColumns(String expr, Map<String, String> columns,
      List<?> boundaries) {
    return new ShardingSpec(ShardingStrategy.CEL, expr, columns, boundaries, null,
        ShardHash.XXH3_64);
  }

  /**
   * Categorical CEL routing, as the Python system's {@code routing_values}: the expression
   * yields a token (int, string or bytes) and the token's position in {@code routingValues} is
   * the shard id, so there are {@code routingValues.size()} shards. On read, a token that is not
   * in the list is a miss; on write it is an error naming the token.
   *
   * @param columns the columns the expression reads, or null for key-only expressions
   */
  public static ShardingSpec celCategorical(String expr, Map<String, String> columns,
      List<?> routingValues) {
    return new ShardingSpec(ShardingStrategy.CEL, expr, columns, null, routingValues,
        ShardHash.XXH3_64);
  }

  /** Rebuilds a spec from a manifest's fields; validates like the factories do. */
  public static ShardingSpec of(ShardingStrategy strategy, String celExpr,
      Map<String, String> celColumns, List<?> boundaries, String hashAlgorithm) {
    return new ShardingSpec(strategy, celExpr, celColumns, boundaries, null, hashAlgorithm);
  }

  /** As {@link #of(ShardingStrategy, String, Map, List, String)}, with routing values. */
  public static ShardingSpec of(ShardingStrategy strategy, String celExpr,
      Map<String, String> celColumns, List<?> boundaries, List<?> routingValues,
      String hashAlgorithm) {
    return new ShardingSpec(strategy, celExpr, celColumns, boundaries, routingValues,
        hashAlgorithm);
  }

  private void validate() {
    if (!ShardHash.XXH3_64.equals(hashAlgorithm)) {
      throw new ConfigValidationException("hash_algorithm '" + hashAlgorithm
          + "' is not supported; the only algorithm is " + ShardHash.XXH3_64);
    }
    if (strategy == ShardingStrategy.HASH) {
      if (celExpr != null || celColumns != null || boundaries != null
          || routingValues != null) {
        throw new ConfigValidationException("celExpr, celColumns, boundaries and "
            + "routingValues are only valid with the CEL strategy");
      }
      return;
    }
    if (celExpr == null || celExpr.isBlank()) {
      throw new ConfigValidationException("the CEL strategy needs a celExpr, e.g. "
          + "\"shard_hash(key) % 8u\"");
    }
    if (celColumns != null) {
      if (celColumns.isEmpty()) {
        throw new ConfigValidationException("celColumns is empty; name at least one column "
            + "or use ShardingSpec.cel(expr) for key-only routing");
      }
      celColumns.forEach((name, type) -> {
        if (!CEL_COLUMN_TYPES.contains(type)) {
          throw new ConfigValidationException("celColumns type '" + type + "' for column '"
              + name + "' is not supported; use one of " + new java.util.TreeSet<>(CEL_COLUMN_TYPES));
        }
      });
    }
    if (boundaries != null) {
      validateBoundaries(boundaries);
    }
    if (routingValues != null) {
      if (boundaries != null) {
        throw new ConfigValidationException("set either boundaries (range routing) or "
            + "routingValues (categorical routing), not both");
      }
      RoutingValues.normalizeAll(routingValues);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void validateBoundaries(List<Object> boundaries) {
    if (boundaries.isEmpty()) {
      throw new ConfigValidationException("boundaries is empty; give at least one boundary "
          + "(n boundaries make n+1 shards) or leave boundaries unset");
    }
    Class<?> kind = null;
    for (int i = 0; i < boundaries.size(); i++) {
      Object b = boundaries.get(i);
      Object normalized = Boundaries.normalize(b, i);
      boundaries.set(i, normalized);
      if (kind == null) {
        kind = normalized.getClass();
      } else if (kind != normalized.getClass()) {
        throw new ConfigValidationException("boundaries mix types: boundary " + i + " is a "
            + normalized.getClass().getSimpleName() + " but boundary 0 is a "
            + kind.getSimpleName() + "; use one type for all boundaries");
      }
      if (i > 0 && Boundaries.compare(boundaries.get(i - 1), normalized) >= 0) {
        throw new ConfigValidationException("boundaries must be strictly increasing, but "
            + "boundary " + (i - 1) + " (" + boundaries.get(i - 1) + ") >= boundary " + i
            + " (" + normalized + ")");
      }
    }
  }

  public ShardingStrategy strategy() {
    return strategy;
  }

  public String celExpr() {
    return celExpr;
  }

  /** Declared CEL columns, or null when the expression reads only {@code key}. */
  public Map<String, String> celColumns() {
    return celColumns == null ? null : Collections.unmodifiableMap(celColumns);
  }

  /** Sorted boundaries ({@code Long}, {@code Double}, {@code String} or {@code byte[]}), or null. */
  public List<Object> boundaries() {
    return boundaries == null ? null : Collections.unmodifiableList(boundaries);
  }

  /** Categorical tokens ({@code Long}, {@code String} or {@code byte[]}) by shard id, or null. */
  public List<Object> routingValues() {
    return routingValues == null ? null : Collections.unmodifiableList(routingValues);
  }

  public String hashAlgorithm() {
    return hashAlgorithm;
  }

  /** Whether routing needs more than the key (a routing context with named columns). */
  public boolean needsRoutingContext() {
    return celColumns != null && !(celColumns.size() == 1 && celColumns.containsKey("key"));
  }

  /** numDbs implied by the spec itself: boundaries + 1, or the routing values, else -1. */
  public int impliedNumDbs() {
    return boundaries != null ? boundaries.size() + 1
        : routingValues != null ? routingValues.size() : -1;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ShardingSpec)) {
      return false;
    }
    ShardingSpec s = (ShardingSpec) o;
    return strategy == s.strategy && Objects.equals(celExpr, s.celExpr)
        && Objects.equals(celColumns, s.celColumns)
        && Boundaries.listEquals(boundaries, s.boundaries)
        && Boundaries.listEquals(routingValues, s.routingValues)
        && Objects.equals(hashAlgorithm, s.hashAlgorithm);
  }

  @Override
  public int hashCode() {
    return Objects.hash(strategy, celExpr, celColumns, hashAlgorithm);
  }

  @Override
  public String toString() {
    return strategy == ShardingStrategy.HASH ? "hash(" + hashAlgorithm + ")"
        : "cel(" + celExpr + (celColumns == null ? "" : ", columns=" + celColumns)
            + (boundaries == null ? "" : ", boundaries=" + boundaries)
            + (routingValues == null ? "" : ", routingValues=" + routingValues) + ")";
  }
}
