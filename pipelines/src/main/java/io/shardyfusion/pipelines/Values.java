package io.shardyfusion.pipelines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.Schema;

/** Conversions between format values, {@link Record} values and JSON. */
final class Values {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RENDER = 60;

  private Values() {}

  /** A JSON value as a Record value (objects keep their field order). */
  static Object fromJson(JsonNode n) {
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
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
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

  /** An Avro generic record (from Avro or Parquet files) as Record fields. */
  static Map<String, Object> fromAvro(GenericRecord r, String source) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Schema.Field f : r.getSchema().getFields()) {
      map.put(f.name(), fromAvroValue(r.get(f.pos()), source, f.name()));
    }
    return map;
  }

  private static Object fromAvroValue(Object v, String source, String field) {
    if (v == null || v instanceof Long || v instanceof Double || v instanceof Boolean
        || v instanceof String || v instanceof BigInteger || v instanceof BigDecimal) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof CharSequence || v instanceof GenericEnumSymbol<?>) {
      return v.toString();
    }
    if (v instanceof ByteBuffer b) {
      ByteBuffer d = b.duplicate();
      byte[] out = new byte[d.remaining()];
      d.get(out);
      return out;
    }
    if (v instanceof byte[] b) {
      return b.clone();
    }
    if (v instanceof GenericFixed f) {
      return f.bytes().clone();
    }
    if (v instanceof GenericRecord g) {
      return fromAvro(g, source);
    }
    if (v instanceof Collection<?> c) {
      List<Object> list = new ArrayList<>(c.size());
      for (Object o : c) {
        list.add(fromAvroValue(o, source, field));
      }
      return list;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> map = new LinkedHashMap<>();
      m.forEach((k, x) -> map.put(String.valueOf(k), fromAvroValue(x, source, field)));
      return map;
    }
    throw new BadRecordException(source, "field '" + field + "' holds a " + v.getClass().getName()
        + ", which BuildSnapshot cannot convert; cast it to a string, number, boolean, bytes, "
        + "list or record in the file");
  }

  /** Compact JSON of a Record value; bytes become base64 strings. */
  static byte[] toJsonBytes(Object value, String source, String field) {
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

  /** A short rendering of a value for messages: its type and text. */
  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    String type;
    String text;
    if (v instanceof byte[] b) {
      type = "bytes";
      text = "0x" + HexFormat.of().formatHex(b, 0, Math.min(b.length, 24));
    } else if (v instanceof String s) {
      type = "string";
      text = "\"" + s + "\"";
    } else if (v instanceof Long || v instanceof BigInteger) {
      type = "integer";
      text = v.toString();
    } else if (v instanceof Double || v instanceof BigDecimal) {
      type = "decimal";
      text = v.toString();
    } else if (v instanceof Boolean) {
      type = "boolean";
      text = v.toString();
    } else if (v instanceof List) {
      type = "list";
      text = v.toString();
    } else if (v instanceof Map) {
      type = "object";
      text = v.toString();
    } else {
      type = v.getClass().getSimpleName();
      text = v.toString();
    }
    if (text.length() > MAX_RENDER) {
      text = text.substring(0, MAX_RENDER - 3) + "...";
    }
    return type + " " + text;
  }
}
