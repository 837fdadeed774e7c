package io.shardyfusion.records;

import io.shardyfusion.errors.ConfigValidationException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between JSON and {@link Record} values. */
public final class JsonValues {
  /** The mapper records are read and values written with. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private JsonValues() {}

  /** A JSON value as a Record value (objects keep their field order). */
  public static Object fromJson(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
    }
    if (n.isNumber()) {
      return n.isBigDecimal() ? n.decimalValue() : n.doubleValue();
    }
    if (n.isBinary()) {
      try {
        return n.binaryValue();
      } catch (IOException e) {
        // A binary node already holds its bytes; Jackson declares the failure anyway.
        throw new ConfigValidationException("cannot read a binary JSON value: " + e, e);
      }
    }
    if (n.isArray()) {
      List<Object> list = new ArrayList<>(n.size());
      n.forEach(e -> list.add(fromJson(e)));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      map.put(e.getKey(), fromJson(e.getValue()));
    }
    return map;
  }

  /** Compact JSON of a Record value; bytes become base64 strings. */
  public static byte[] toJsonBytes(Object value, String source, String field) {
    checkJsonable(value, source, field);
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new BadRecordException(source, "field '" + field + "' cannot be written as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  private static void checkJsonable(Object v, String source, String field) {
    if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
      throw new BadRecordException(source, "field '" + field + "' is " + d + ", which JSON "
          + "cannot hold; replace it in the input (e.g. with null) or store another field");
    }
    if (v instanceof List<?> l) {
      l.forEach(x -> checkJsonable(x, source, field));
    } else if (v instanceof Map<?, ?> m) {
      m.values().forEach(x -> checkJsonable(x, source, field));
    }
  }
}
