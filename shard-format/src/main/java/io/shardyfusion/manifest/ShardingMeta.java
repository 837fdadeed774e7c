package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.routing.ShardingStrategy;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The manifest's {@code sharding} object. Byte-string boundaries travel as
 * {@code {"base64": "..."}} objects so that they stay distinguishable from text boundaries.
 */
public record ShardingMeta(
    @JsonProperty(value = "strategy", required = true) String strategy,
    @JsonProperty("cel_expr") String celExpr,
    @JsonProperty("cel_columns") Map<String, String> celColumns,
    @JsonProperty("boundaries") List<Object> boundaries,
    @JsonProperty(value = "hash_algorithm", required = true) String hashAlgorithm,
    // Left out when null, so manifests without categorical routing keep their bytes.
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonProperty("routing_values") List<Object> routingValues) {

  /** Without categorical routing values (HASH, direct CEL ids, CEL boundaries). */
  public ShardingMeta(String strategy, String celExpr, Map<String, String> celColumns,
      List<Object> boundaries, String hashAlgorithm) {
    this(strategy, celExpr, celColumns, boundaries, hashAlgorithm, null);
  }

  public static ShardingMeta of(ShardingSpec spec) {
    return new ShardingMeta(spec.strategy().wireName(), spec.celExpr(), spec.celColumns(),
        toJson(spec.boundaries()), spec.hashAlgorithm(), toJson(spec.routingValues()));
  }

  private static List<Object> toJson(List<Object> values) {
    if (values == null) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (Object o : values) {
      out.add(o instanceof byte[] ? Map.of("base64", Base64.getEncoder().encodeToString((byte[]) o)) : o);
    }
    return out;
  }

  private static List<Object> fromJson(List<Object> values) {
    if (values == null) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (Object o : values) {
      if (o instanceof Map<?, ?> m && m.get("base64") instanceof String s) {
        try {
          out.add(Base64.getDecoder().decode(s));
        } catch (IllegalArgumentException e) {
          throw new io.shardyfusion.errors.ConfigValidationException("sharding value {\"base64\": "
              + "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"} is not valid "
              + "base64 (" + e.getMessage() + ")", e);
        }
      } else {
        out.add(o);
      }
    }
    return out;
  }

  /** The spec this metadata describes; validates like {@link ShardingSpec}'s factories. */
  public ShardingSpec toSpec() {
    return ShardingSpec.of(ShardingStrategy.fromWireName(strategy), celExpr, celColumns,
        fromJson(boundaries), fromJson(routingValues), hashAlgorithm);
  }

}
