package io.shardyfusion.manifest;

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
    @JsonProperty(value = "hash_algorithm", required = true) String hashAlgorithm) {

  public static ShardingMeta of(ShardingSpec spec) {
    List<Object> b = null;
    if (spec.boundaries() != null) {
      b = new ArrayList<>();
      for (Object o : spec.boundaries()) {
        b.add(o instanceof byte[] ? Map.of("base64", Base64.getEncoder().encodeToString((byte[]) o)) : o);
      }
    }
    return new ShardingMeta(spec.strategy().wireName(), spec.celExpr(), spec.celColumns(), b,
        spec.hashAlgorithm());
  }

  /** The spec this metadata describes; validates like {@link ShardingSpec}'s factories. */
  public ShardingSpec toSpec() {
    List<Object> b = null;
    if (boundaries != null) {
      b = new ArrayList<>();
      for (Object o : boundaries) {
        if (o instanceof Map<?, ?> m && m.get("base64") instanceof String s) {
          b.add(Base64.getDecoder().decode(s));
        } else {
          b.add(o);
        }
      }
    }
    return ShardingSpec.of(ShardingStrategy.fromWireName(strategy), celExpr, celColumns, b,
        hashAlgorithm);
  }
}
