package io.shardyfusion.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.shardyfusion.routing.ShardingSpec;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --routing-context}: the routing columns of multi-column CEL sharding. As in the Python
 * CLI, each occurrence is {@code NAME=VALUE} (repeatable); as an extension an occurrence may also
 * be one JSON object ({@code '{"region":"eu","tier":3}'}). Text values are converted to the type
 * the manifest declares for the column ({@code cel_columns}: int, uint, double, bool, bytes as
 * {@code hex:..}/{@code base64:..}; string stays text), so {@code tier=3} works for an int column.
 */
final class RoutingContexts {
  private RoutingContexts() {}

  /** The context the options give, or null when none was given. */
  static Map<String, Object> parse(List<String> options, ShardingSpec spec) {
    if (options == null || options.isEmpty()) {
      return null;
    }
    Map<String, Object> ctx = new LinkedHashMap<>();
    for (String o : options) {
      String t = o.strip();
      if (t.startsWith("{")) {
        JsonNode node;
        try {
          node = JsonMapper.builder().build().readTree(t);
        } catch (JacksonException e) {
          throw new UsageException("--routing-context '" + o + "' is not a JSON object: "
              + e.getOriginalMessage());
        }
        if (!node.isObject()) {
          throw new UsageException("--routing-context '" + o + "' is not a JSON object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          ctx.put(e.getKey(), fromJson(e.getKey(), e.getValue(), spec));
        }
        continue;
      }
      int eq = o.indexOf('=');
      if (eq < 0) {
        throw new UsageException("--routing-context must be key=value, got: '" + o + "'");
      }
      String name = o.substring(0, eq).strip();
      ctx.put(name, typed(name, o.substring(eq + 1).strip(), spec));
    }
    return ctx;
  }

  /** A routing context from an exec script (YAML-typed values), or null when absent. */
  static Map<String, Object> fromNode(JsonNode node, ShardingSpec spec, String where) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new UsageException(where + ": routing_context must be a mapping of column: value");
    }
    Map<String, Object> ctx = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ctx.put(e.getKey(), fromJson(e.getKey(), e.getValue(), spec));
    }
    return ctx;
  }

  private static Object fromJson(String name, JsonNode v, ShardingSpec spec) {
    if (v.isTextual()) {
      return typed(name, v.textValue(), spec);
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isNull()) {
      return null;
    }
    throw new UsageException("routing context column '" + name + "': a value must be a "
        + "string, number or boolean, got " + v);
  }

  /** Text converted to the column's declared CEL type; undeclared columns stay text. */
  private static Object typed(String name, String text, ShardingSpec spec) {
    String type = spec == null || spec.celColumns() == null ? null : spec.celColumns().get(name);
    if (type == null) {
      return text;
    }
    try {
      switch (type) {
        case "int":
          return Long.parseLong(text);
        case "uint":
          return new BigInteger(text);
        case "double":
          return Double.parseDouble(text);
        case "bool":
          String b = text.toLowerCase(Locale.ROOT);
          if (b.equals("true") || b.equals("false")) {
            return Boolean.parseBoolean(b);
          }
          throw new NumberFormatException();
        case "bytes":
          if (text.startsWith("hex:")) {
            return HexFormat.of().parseHex(text.substring(4));
          }
          if (text.startsWith("base64:")) {
            return Base64.getDecoder().decode(text.substring(7));
          }
          return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        default:
          return text;
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException("routing context column '" + name + "' is declared " + type
          + " in the manifest's cel_columns; '" + text + "' is not a " + type + " value");
    }
  }
}
