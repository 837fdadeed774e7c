package io.shardyfusion.routing;

import com.google.common.primitives.UnsignedLong;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.values.CelByteString;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.errors.UnknownRoutingValueException;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * CEL routing, as the Python system's {@code cel.py}: the expression yields the shard id, or a
 * value placed among the spec's boundaries with {@code bisect_right}.
 *
 * <p>The expression is compiled once; the cel-java program is immutable and thread-safe, so one
 * router serves every thread. Each route allocates only a small variable resolver.
 */
final class CelShardRouter implements ShardRouter {
  /**
   * Comprehension iterations one evaluation may run, over all nested comprehensions: ample for
   * a membership test over a literal list of a thousand values (categorical tokens belong in
   * routing_values, which are looked up by hash, not iterated).
   */
  static final int MAX_COMPREHENSION_ITERATIONS = 1_000;
  /**
   * The longest expression: routing expressions are one line; the bound also caps the work of
   * one comprehension iteration (its body is part of the expression).
   */
  static final int MAX_EXPRESSION_CODE_POINTS = 10_000;
  /** The deepest nesting the parser follows (cel-java's default). */
  static final int MAX_PARSE_RECURSION_DEPTH = 250;

  /** numDbs of a router that discovers the shard count from the ids it produces. */
  static final int DISCOVERING = -1;
  /** numDbs of a router compiled only to evaluate categorical tokens ({@link #token}). */
  static final int TOKENS = -2;

  private static final Set<CelKind> SHARD_ID_KINDS =
      EnumSet.of(CelKind.INT, CelKind.UINT, CelKind.DYN);
  private static final Set<CelKind> ROUTING_VALUE_KINDS = EnumSet.of(CelKind.INT, CelKind.UINT,
      CelKind.DOUBLE, CelKind.STRING, CelKind.BYTES, CelKind.DYN);
  private static final Set<CelKind> TOKEN_KINDS = EnumSet.of(CelKind.INT, CelKind.UINT,
      CelKind.STRING, CelKind.BYTES, CelKind.DYN);

  private final String expr;
  private final CelRuntime.Program program;
  private final int numDbs;
  private final List<Object> boundaries; // null: the result is the shard id
  private final List<Object> routingValueList; // null: not categorical
  private final RoutingValues routingValues;
  /** Declared variables in declaration order; {@code key} alone for key-only expressions. */
  private final Map<String, CelColumnType> variables;
  private final boolean needsContext;

  private CelShardRouter(String expr, CelRuntime.Program program, int numDbs,
      List<Object> boundaries, List<Object> routingValues, Map<String, CelColumnType> variables,
      boolean needsContext) {
    this.expr = expr;
    this.program = program;
    this.numDbs = numDbs;
    this.boundaries = boundaries;
    this.routingValueList = routingValues;
    this.routingValues = routingValues == null ? null : RoutingValues.of(routingValues);
    this.variables = variables;
    this.needsContext = needsContext;
  }

  /**
   * Compiles {@code spec}'s expression.
   *
   * @param numDbs the shard count, or {@link #DISCOVERING} (boundaries must then be unset)
   * @throws ConfigValidationException if the expression does not compile, yields a type that
   *     cannot route, or numDbs disagrees with the boundaries
   */
  static ShardRouter compile(ShardingSpec spec, int numDbs, KeyEncoding keyEncoding) {
    String expr = spec.celExpr();
    List<Object> boundaries = spec.boundaries();
    if (boundaries != null && numDbs != boundaries.size() + 1) {
      throw new ConfigValidationException("numDbs is " + numDbs + " but " + boundaries.size()
          + " boundaries make " + (boundaries.size() + 1) + " shards (CEL expression '" + expr
          + "')");
    }
    List<Object> routingValues = spec.routingValues();
    if (routingValues != null && numDbs != routingValues.size()) {
      throw new ConfigValidationException("numDbs is " + numDbs + " but " + routingValues.size()
          + " routing values make " + routingValues.size() + " shards (CEL expression '" + expr
          + "'): num_dbs must equal the number of routing values");
    }
    Map<String, CelColumnType> variables = new LinkedHashMap<>();
    if (spec.celColumns() == null) {
      variables.put("key", CelColumnType.forKeyEncoding(keyEncoding));
    } else {
      spec.celColumns().forEach((n, t) -> variables.put(n, CelColumnType.fromWireName(t)));
    }
    Cel cel = newCel(variables);
    CelAbstractSyntaxTree ast;
    try {
      ast = cel.compile(expr).getAst();
    } catch (CelValidationException e) {
      throw new ConfigValidationException("CEL expression '" + expr + "' does not compile "
          + "(variables " + describe(variables) + "): " + e.getMessage(), e);
    }
    checkResultType(expr, ast, boundaries != null, routingValues != null || numDbs == TOKENS);
    if (routingValues != null && ast.getResultType().kind() == CelKind.BYTES) {
      routingValues = asBytesTokens(routingValues);
    }
    CelRuntime.Program program;
    try {
      program = cel.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new ConfigValidationException("CEL expression '" + expr + "' cannot be planned: "
          + e.getMessage(), e);
    }
    // Declaration order is kept so that error messages list columns as the spec does.
    return new CelShardRouter(expr, program, numDbs, boundaries, routingValues,
        Collections.unmodifiableMap(variables),
        spec.needsRoutingContext());
  }

  private static Cel newCel(Map<String, CelColumnType> variables) {
    CelBuilder builder = CelFactory.standardCelBuilder()
        // Explicit so that uint values are Guava UnsignedLong whatever the library default.
        .setOptions(CelOptions.current().enableUnsignedLongs(true)
            // A manifest's expression is untrusted input evaluated on every lookup: bound it.
            // Comprehensions are CEL's only loops, so this bounds the CPU and memory of one
            // evaluation (nested maps over literal lists grow as a product otherwise).
            .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
            .maxExpressionCodePointSize(MAX_EXPRESSION_CODE_POINTS)
            .maxParseRecursionDepth(MAX_PARSE_RECURSION_DEPTH)
            .build())
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addFunctionDeclarations(CelShardHash.DECLARATION)
        .addFunctionBindings(CelShardHash.BINDINGS);
    variables.forEach((name, type) -> builder.addVar(name, type.celType()));
    return builder.build();
  }

  private static void checkResultType(String expr, CelAbstractSyntaxTree ast,
      boolean hasBoundaries, boolean categorical) {
    CelKind kind = ast.getResultType().kind();
    Set<CelKind> allowed = categorical ? TOKEN_KINDS
        : hasBoundaries ? ROUTING_VALUE_KINDS : SHARD_ID_KINDS;
    if (!allowed.contains(kind)) {
      throw new ConfigValidationException("CEL expression '" + expr + "' yields "
          + ast.getResultType().name() + ", but "
          + (categorical ? "a categorical token must be an int, uint, string or bytes"
              : hasBoundaries ? "a routing value placed among boundaries must be an int, uint, "
              + "double, string or bytes" : "a shard id must be an int or uint"));
    }
  }

  /**
   * The Python system's manifest keeps bytes tokens as the UTF-8 text they decode to (pydantic's
   * JSON default), so a manifest read back lists strings where the writer had bytes. An
   * expression that yields bytes can only match bytes: its string tokens are those bytes.
   */
  private static List<Object> asBytesTokens(List<Object> values) {
    List<Object> out = new ArrayList<>(values.size());
    for (Object v : values) {
      out.add(v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : v);
    }
    RoutingValues.normalizeAll(out); // "a" and b"a" are now the same token: a duplicate
    return out;
  }

  @Override
  public int numDbs() {
    return numDbs;
  }

  @Override
  public int route(Object key) {
    return toShardId(evaluateFor(key), key);
  }

  @Override
  public int route(Object key, Map<String, ?> routingContext) {
    return toShardId(evaluateFor(key, routingContext), key);
  }

  /**
   * The categorical token the expression yields for this record, in routing values' form
   * ({@code Long}, {@code String} or {@code byte[]}): what a writer inferring the routing
   * values collects.
   *
   * @throws RoutingException if the expression fails or yields another type (a bool, a double,
   *     a uint above 2^63-1)
   */
  Object token(Object key, Map<String, ?> routingContext) {
    Object result = routingContext == null || !needsContext ? evaluateFor(key)
        : evaluateFor(key, routingContext);
    if (result instanceof Long || result instanceof String) {
      return result;
    }
    if (result instanceof UnsignedLong u && u.longValue() >= 0) {
      return u.longValue();
    }
    if (result instanceof CelByteString b) {
      return b.toByteArray();
    }
    throw wrongResult(result, key, "a categorical token: an int, a uint up to 2^63-1, a string "
        + "or bytes");
  }

  private Object evaluateFor(Object key) {
    if (needsContext) {
      throw new RoutingException("CEL expression '" + expr + "' reads columns "
          + variables.keySet() + ": route it with a routing context holding columns "
          + variables.keySet() + " (route(key, context))");
    }
    CelColumnType type = variables.get("key");
    Object value = convert("key", type, key, key);
    return evaluate(name -> "key".equals(name) ? Optional.of(value) : Optional.empty(), key);
  }

  private Object evaluateFor(Object key, Map<String, ?> routingContext) {
    if (!needsContext || routingContext == null) {
      return evaluateFor(key); // without context: throws, naming the columns needed
    }
    // Convert every declared column up front: a missing or mistyped column then fails with
    // a message naming it, not with cel-java's generic "no matching overload".
    Map<String, Object> values = new HashMap<>(variables.size() * 2);
    for (Map.Entry<String, CelColumnType> v : variables.entrySet()) {
      String name = v.getKey();
      Object raw = routingContext.get(name);
      if (raw == null && "key".equals(name) && !routingContext.containsKey(name)) {
        raw = key; // the key column may come from the key argument itself
      }
      if (raw == null) {
        throw new RoutingException("routing context for key " + render(key) + " has no "
            + (routingContext.containsKey(name) ? "(null) " : "") + "value for column '"
            + name + "' that CEL expression '" + expr + "' reads; context columns: "
            + routingContext.keySet() + ", declared columns: " + describe(variables));
      }
      values.put(name, convert(name, v.getValue(), raw, key));
    }
    return evaluate(name -> Optional.ofNullable(values.get(name)), key);
  }

  private Object convert(String name, CelColumnType type, Object raw, Object key) {
    Object value = type.toCel(raw);
    if (value == null) {
      throw new RoutingException("CEL column '" + name + "' is declared " + type.wireName()
          + " but the value for key " + render(key) + " is " + render(raw) + " ("
          + (raw == null ? "null" : raw.getClass().getName()) + ")" + rangeHint(type));
    }
    return value;
  }

  private static String rangeHint(CelColumnType type) {
    return type == CelColumnType.UINT ? "; uint values must be integers in 0..2^64-1"
        : type == CelColumnType.INT ? "; int values must be integers in -2^63..2^63-1" : "";
  }

  private Object evaluate(CelVariableResolver resolver, Object key) {
    try {
      return program.eval(resolver);
    } catch (CelEvaluationException e) {
      String why = e.getMessage() != null && e.getMessage().contains("Iteration budget")
          ? "it ran more than " + MAX_COMPREHENSION_ITERATIONS + " comprehension iterations "
              + "in one evaluation (a routing expression must not loop or allocate without "
              + "bound; fix the snapshot's cel_expr): " : "";
      throw new RoutingException("CEL expression '" + abbreviate(expr) + "' failed for key "
          + render(key) + ": " + why + e.getMessage(), e);
    } catch (RuntimeException e) {
      // cel-java's own failures (an overload throwing, an arithmetic edge) are the expression's
      throw new RoutingException("CEL expression '" + abbreviate(expr) + "' failed for key "
          + render(key) + ": " + e, e);
    }
  }

  private int toShardId(Object result, Object key) {
    if (routingValues != null) {
      int id = routingValues.shardOf(result);
      if (id < 0) {
        throw new UnknownRoutingValueException("CEL expression '" + expr + "' yielded token "
            + render(result) + " for key " + render(key) + ", which is not among the "
            + routingValueList.size() + " routing values " + abbreviate(routingValueList)
            + "; add it to the routing values (or let the writer infer them from the data)");
      }
      return id;
    }
    if (boundaries != null) {
      return Boundaries.bisectRight(boundaries, routingValue(result, key));
    }
    long id;
    if (result instanceof Long) {
      id = (Long) result;
    } else if (result instanceof UnsignedLong) {
      UnsignedLong u = (UnsignedLong) result;
      id = u.longValue() < 0 ? Long.MAX_VALUE : u.longValue(); // above 2^63: out of range
    } else {
      throw wrongResult(result, key, "an int or uint shard id");
    }
    boolean tooBig = numDbs == DISCOVERING ? id > Integer.MAX_VALUE : id >= numDbs;
    if (id < 0 || tooBig) {
      throw new RoutingException("CEL expression '" + expr + "' routed key " + render(key)
          + " to shard id " + result + ", outside " + (numDbs == DISCOVERING
              ? "0.." + Integer.MAX_VALUE + " (shard ids must not be negative)"
              : "0.." + (numDbs - 1) + " (numDbs=" + numDbs + ")"));
    }
    return (int) id;
  }

  /** The CEL result in {@link Boundaries}' comparable form. */
  private Object routingValue(Object result, Object key) {
    if (result instanceof Long || result instanceof Double || result instanceof String) {
      return result;
    }
    if (result instanceof UnsignedLong) {
      UnsignedLong u = (UnsignedLong) result;
      // A uint above 2^63-1 exceeds every Long boundary, and so does Long.MAX_VALUE under
      // bisect_right (equal goes right): same shard, exact. Double boundaries compare as double.
      return u.longValue() >= 0 ? (Object) u.longValue()
          : boundaries.get(0) instanceof Long ? (Object) Long.MAX_VALUE : u.doubleValue();
    }
    if (result instanceof CelByteString) {
      return ((CelByteString) result).toByteArray();
    }
    throw wrongResult(result, key, "an int, uint, double, string or bytes routing value");
  }

  private RoutingException wrongResult(Object result, Object key, String expected) {
    return new RoutingException("CEL expression '" + expr + "' yielded " + render(result)
        + (result == null ? "" : " (" + result.getClass().getSimpleName() + ")") + " for key "
        + render(key) + "; expected " + expected);
  }

  private static String describe(Map<String, CelColumnType> variables) {
    StringBuilder sb = new StringBuilder("{");
    variables.forEach((n, t) -> sb.append(sb.length() > 1 ? ", " : "").append(n).append(": ")
        .append(t.wireName()));
    return sb.append('}').toString();
  }

  private static String abbreviate(String expr) {
    return expr.length() > 200 ? expr.substring(0, 200) + "..." : expr;
  }

  private static String abbreviate(List<Object> values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < Math.min(values.size(), 8); i++) {
      sb.append(i > 0 ? ", " : "").append(render(values.get(i)));
    }
    return sb.append(values.size() > 8 ? ", ...]" : "]").toString();
  }

  static String render(Object v) {
    if (v instanceof byte[]) {
      return "0x" + HexFormat.of().formatHex((byte[]) v);
    }
    if (v instanceof CelByteString) {
      return "b\"0x" + HexFormat.of().formatHex(((CelByteString) v).toByteArray()) + "\"";
    }
    if (v instanceof CharSequence) {
      String s = v.toString();
      return "'" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "'";
    }
    return String.valueOf(v);
  }
}
