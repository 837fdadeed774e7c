package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.routing.ShardingStrategy;
import io.shardyfusion.errors.ConfigValidationException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
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
        toJson(spec.boundaries()), spec.hashAlgorithm(), routingValuesToJson(spec.routingValues()));
  }

  /**
   * Routing tokens as the Python system writes them: its manifest model dumps with pydantic's
   * JSON mode, whose default for bytes is the UTF-8 text they decode to (and a failure for
   * bytes that are not UTF-8). So a bytes token is a JSON string, read back as a string; the
   * router turns it into bytes again when the CEL expression yields bytes.
   *
   * @throws ConfigValidationException for a bytes token that is not valid UTF-8, which the
   *     Python format cannot carry
   */
  private static List<Object> routingValuesToJson(List<Object> values) {
    if (values == null) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      Object o = values.get(i);
      if (o instanceof byte[] b) {
        try {
          o = StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
          throw new ConfigValidationException("routing value " + i + " (0x"
              + HexFormat.of().formatHex(b) + ") is not valid UTF-8: the Python system's "
              + "manifest stores bytes routing tokens as the UTF-8 text they decode to (its "
              + "pydantic model refuses other bytes), so use tokens that are UTF-8 text, or "
              + "have the CEL expression yield strings or integers");
        }
      }
      out.add(o);
    }
    return out;
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

  // Also reads this project's earlier {"base64": ...} form of bytes routing values.
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
