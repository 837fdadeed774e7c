package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Categorical routing values inferred from the data, as the Python system's writers do with
 * {@code infer_routing_values_from_data}: evaluate the CEL expression on every record, take the
 * distinct tokens, sort them as Python's {@code sorted()} does, and give each its position as
 * shard id ({@code num_dbs} = the number of tokens).
 *
 * <p>Python's order: integers numerically, strings by code point (not Java's UTF-16 order,
 * which differs above U+FFFF), bytes by unsigned bytes; every token of one type (a mix is an
 * error, as in Python); no booleans. At most {@link #MAX_VALUES} distinct tokens: each becomes
 * a shard.
 *
 * <pre>{@code
 * RoutingValueInference.Tokens tokens = RoutingValueInference.tokens(spec, KeyEncoding.UTF8);
 * RoutingValueInference.Distinct seen = new RoutingValueInference.Distinct();
 * for (User u : users) seen.add(tokens.of(u.id(), Map.of("region", u.region())));
 * ShardingSpec inferred = RoutingValueInference.categorical(spec, seen.sorted());
 * }</pre>
 */
public final class RoutingValueInference {
  /** The most distinct tokens (so shards) a snapshot may infer. */
  public static final int MAX_VALUES = ShardCount.MAX_NUM_DBS;

  private RoutingValueInference() {}

  /** Evaluates a CEL expression to its categorical token. Thread-safe. */
  public interface Tokens {
    /**
     * The token for this record ({@code Long}, {@code String} or {@code byte[]}).
     *
     * @param key the record's key (normalized here, as the writers do)
     * @param routingContext its columns; null when the expression reads only the key
     * @throws RoutingException if the expression fails or yields no token type
     */
    Object of(Object key, Map<String, ?> routingContext);
  }

  /**
   * The token function of {@code spec}, a CEL spec without routing values or boundaries (the
   * one whose values are to be inferred).
   *
   * @throws ConfigValidationException if the spec is not such a spec, or the expression does not
   *     compile to an int, uint, string or bytes
   */
  public static Tokens tokens(ShardingSpec spec, KeyEncoding keyEncoding) {
    requireInferable(spec);
    CelShardRouter router = (CelShardRouter) CelShardRouter.compile(spec, CelShardRouter.TOKENS,
        keyEncoding);
    return (key, context) -> router.token(keyEncoding.normalize(key), context);
  }

  /** @throws ConfigValidationException unless {@code spec} is CEL without values or boundaries */
  public static void requireInferable(ShardingSpec spec) {
    if (spec.strategy() != ShardingStrategy.CEL || spec.routingValues() != null
        || spec.boundaries() != null) {
      throw new ConfigValidationException("inferring routing values needs a CEL expression "
          + "without routingValues or boundaries (it yields the categorical token), got "
          + spec + "; drop inferRoutingValues or the explicit values");
    }
  }

  /** {@code spec} with {@code sortedValues} as its routing values (one shard per value). */
  public static ShardingSpec categorical(ShardingSpec spec, List<Object> sortedValues) {
    return ShardingSpec.celCategorical(spec.celExpr(), spec.celColumns(), sortedValues);
  }

  /**
   * The distinct tokens seen so far, bounded: adding token number {@link #MAX_VALUES} + 1
   * fails. Not thread-safe; serializable so that it can be a Beam accumulator.
   */
  public static final class Distinct implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Set<Object> seen = new HashSet<>();
    private final int limit;

    public Distinct() {
      this(MAX_VALUES);
    }

    /** @param limit the most distinct tokens accepted (tests use small ones) */
    public Distinct(int limit) {
      this.limit = limit;
    }

    /** @throws ConfigValidationException when this token is one more than the limit */
    public void add(Object token) {
      if (seen.add(token instanceof byte[] b ? new Bytes(b) : token) && seen.size() > limit) {
        throw tooMany(limit);
      }
    }

    /** Adds every token {@code other} holds. */
    public void addAll(Distinct other) {
      for (Object t : other.seen) {
        add(t instanceof Bytes b ? b.bytes() : t);
      }
    }

    public int size() {
      return seen.size();
    }

    /** The tokens in Python's order; see {@link #sorted(Collection)}. */
    public List<Object> sorted() {
      List<Object> out = new ArrayList<>(seen.size());
      for (Object t : seen) {
        out.add(t instanceof Bytes b ? b.bytes() : t);
      }
      return RoutingValueInference.sorted(out);
    }
  }

  /** byte[] with value equality, for the set. */
  private record Bytes(byte[] bytes) implements Serializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /** @throws ConfigValidationException if {@code distinct} tokens are more than allowed */
  public static void checkCount(int distinct) {
    if (distinct > MAX_VALUES) {
      throw tooMany(MAX_VALUES);
    }
  }

  static ConfigValidationException tooMany(int limit) {
    return new ConfigValidationException("the CEL expression yields more than " + limit
        + " distinct tokens, and each inferred routing value becomes a shard: route by a "
        + "coarser expression (e.g. shard_hash(...) % N for a direct shard id) or give the "
        + "routing values explicitly");
  }

  /**
   * Distinct {@code tokens} sorted as Python's {@code sorted()} sorts them.
   *
   * @throws ConfigValidationException for no tokens (nothing to infer from), tokens of more
   *     than one type, or more than {@link #MAX_VALUES} of them
   */
  public static List<Object> sorted(Collection<?> tokens) {
    if (tokens.isEmpty()) {
      throw new ConfigValidationException("no records to infer routing values from: a "
          + "categorical snapshot needs at least one token; give routingValues explicitly to "
          + "publish an empty one");
    }
    checkCount(tokens.size());
    Class<?> type = null;
    for (Object t : tokens) {
      Class<?> c = t instanceof Long ? Long.class : t instanceof String ? String.class
          : t instanceof byte[] ? byte[].class : null;
      if (c == null) {
        throw new ConfigValidationException("routing token " + t + " ("
            + (t == null ? "null" : t.getClass().getSimpleName()) + ") is not an integer, "
            + "string or bytes");
      }
      if (type != null && type != c) {
        throw new ConfigValidationException("the CEL expression yields tokens of more than "
            + "one type (" + simpleName(type) + " and " + simpleName(c) + "); inferred routing "
            + "values must all share one type, as in the Python system: make the expression "
            + "yield one type (e.g. string(...))");
      }
      type = c;
    }
    List<Object> out = new ArrayList<>(tokens);
    out.sort(PYTHON_ORDER);
    for (int i = 1; i < out.size(); i++) {
      if (PYTHON_ORDER.compare(out.get(i - 1), out.get(i)) == 0) {
        throw new ConfigValidationException("routing token " + CelShardRouter.render(out.get(i))
            + " appears twice; pass distinct tokens");
      }
    }
    return out;
  }

  private static String simpleName(Class<?> c) {
    return c == Long.class ? "int" : c == String.class ? "string" : "bytes";
  }

  /**
   * Python's order for tokens of one type: integers numerically, strings by code point
   * (Python's str order; Java's compareTo orders UTF-16 units, which puts U+E000..U+FFFF after
   * supplementary characters), bytes by unsigned bytes.
   */
  public static final Comparator<Object> PYTHON_ORDER = (a, b) -> {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof String x && b instanceof String y) {
      return Boundaries.compareCodePoints(x, y);
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.compareUnsigned(x, y);
    }
    throw new ConfigValidationException("tokens " + a + " and " + b + " have different types");
  };

  // ---- a text form for distributed runners (Beam's Distinct and coders) -----------------

  /** A token as text with its type: {@code i:42}, {@code s:eu}, {@code b:<base64>}. */
  public static String encode(Object token) {
    if (token instanceof Long l) {
      return "i:" + l;
    }
    if (token instanceof String s) {
      return "s:" + s;
    }
    if (token instanceof byte[] b) {
      return "b:" + Base64.getEncoder().encodeToString(b);
    }
    throw new ConfigValidationException("routing token " + token + " is not an integer, "
        + "string or bytes");
  }

  /** The token {@link #encode} wrote. */
  public static Object decode(String text) {
    String body = text.substring(2);
    return switch (text.charAt(0)) {
      case 'i' -> Long.parseLong(body);
      case 's' -> body;
      case 'b' -> Base64.getDecoder().decode(body);
      default -> throw new IllegalArgumentException("not an encoded routing token: " + text);
    };
  }

  /** {@link #decode} of each, sorted: the inferred routing values. */
  public static List<Object> decodeSorted(Collection<String> encoded) {
    return sorted(encoded.stream().map((Function<String, Object>) RoutingValueInference::decode)
        .toList());
  }
}
