package io.shardyfusion.pipelines;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.shardyfusion.records.BadRecordException;
import io.shardyfusion.records.Record;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.Schema;

/** Avro (and Parquet) values as {@link Record} values; JSON is {@code JsonValues}'s. */
final class Values {

  private Values() {}

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
}
