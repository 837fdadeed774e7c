package io.shardyfusion.records;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One input record, whatever its file format: named fields plus where it came from, for error
 * messages. Field values are limited to the types the Beam job's RecordCoder carries: null, Long,
 * Double, Boolean, String, byte[], BigInteger, BigDecimal, List and Map (String keys) of these.
 * The readers converts format-specific values (Avro's Utf8, Integer, ...) to them.
 *
 * @param source where the record is, e.g. {@code /data/users.csv:17}
 * @param fields the record's fields in file order
 * @param typed false when every value is text that may stand for a number (CSV)
 */
public record Record(String source, Map<String, Object> fields, boolean typed)
    implements Serializable {

  public Record {
    Objects.requireNonNull(source, "source");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  public boolean has(String field) {
    return fields.containsKey(field);
  }

  public Object get(String field) {
    return fields.get(field);
  }

  @Override
  public String toString() {
    return source;
  }
}
