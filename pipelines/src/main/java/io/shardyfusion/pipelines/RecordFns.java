package io.shardyfusion.pipelines;

import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.records.BadRecordException;
import io.shardyfusion.records.JsonValues;
import io.shardyfusion.records.Record;
import io.shardyfusion.routing.KeyConverter;
import io.shardyfusion.routing.KeyEncoding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * The key, value and routing-context functions {@link BuildSnapshot} gives
 * {@code ShardedWrite}, derived from the options. Each checks its field and throws a
 * {@link BadRecordException} that names the record, the field and the fix.
 */
final class RecordFns {
  private RecordFns() {}

  /** The key of a record, converted for the key encoding. */
  static final class KeyFn implements SerializableFunction<Record, Object> {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final KeyEncoding encoding;

    KeyFn(String field, KeyEncoding encoding) {
      this.field = field;
      this.encoding = encoding;
    }

    @Override
    public Object apply(Record r) {
      if (!r.has(field)) {
        throw new BadRecordException(r.source(), "key field '" + field + "' is missing; every "
            + "record needs one (fields here: " + r.fields().keySet() + "); fix the record or "
            + "choose the key with --keyField");
      }
      Object v = r.get(field);
      if (v == null || (!r.typed() && v instanceof String s && s.isEmpty())) {
        throw new BadRecordException(r.source(), "key field '" + field + "' is "
            + (v == null ? "null" : "empty") + "; every record needs a key: fill it in or drop "
            + "the record from the input");
      }
      try {
        return KeyConverter.fromValue(v, encoding, r.typed());
      } catch (KeyConverter.WrongTypeException e) {
        throw new BadRecordException(r.source(), "key field '" + field + "' must be "
            + e.wanted() + " for --keyEncoding=" + encoding.wireName() + ", got " + e.got()
            + "; fix the record or use --keyEncoding=" + e.otherwise(), e);
      } catch (KeyValidationException e) {
        throw new BadRecordException(r.source(), "key field '" + field + "': " + e.getMessage(),
            e);
      }
    }
  }

  /** One field as the value: string → UTF-8, bytes as they are, anything else → JSON. */
  static final class FieldValueFn implements SerializableFunction<Record, byte[]> {
    private static final long serialVersionUID = 1L;
    private final String field;

    FieldValueFn(String field) {
      this.field = field;
    }

    @Override
    public byte[] apply(Record r) {
      if (!r.has(field)) {
        throw new BadRecordException(r.source(), "value field '" + field + "' is missing "
            + "(fields here: " + r.fields().keySet() + "); add it to the record, choose "
            + "another --valueField, or drop --valueField to store the whole record");
      }
      Object v = r.get(field);
      if (v == null) {
        throw new BadRecordException(r.source(), "value field '" + field + "' is null and a "
            + "null cannot be stored as a value; fill it in, or use --valueFields=" + field
            + " to store it inside a JSON object");
      }
      if (v instanceof String s) {
        return s.getBytes(StandardCharsets.UTF_8);
      }
      if (v instanceof byte[] b) {
        return b;
      }
      return JsonValues.toJsonBytes(v, r.source(), field);
    }
  }

  /** Several fields as one JSON object. */
  static final class FieldsValueFn implements SerializableFunction<Record, byte[]> {
    private static final long serialVersionUID = 1L;
    private final ArrayList<String> fields;

    FieldsValueFn(List<String> fields) {
      this.fields = new ArrayList<>(fields);
    }

    @Override
    public byte[] apply(Record r) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (String f : fields) {
        if (!r.has(f)) {
          throw new BadRecordException(r.source(), "value field '" + f + "' (of --valueFields="
              + String.join(",", fields) + ") is missing (fields here: " + r.fields().keySet()
              + "); add it to the record or drop it from --valueFields");
        }
        out.put(f, r.get(f));
      }
      return JsonValues.toJsonBytes(out, r.source(), String.join(",", fields));
    }
  }

  /** The whole record as a JSON object. */
  static final class RecordValueFn implements SerializableFunction<Record, byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] apply(Record r) {
      return JsonValues.toJsonBytes(r.fields(), r.source(), "(whole record)");
    }
  }

  /** The columns a multi-column CEL expression reads; CSV text is converted to their types. */
  static final class RoutingContextFn
      implements SerializableFunction<Record, Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private final LinkedHashMap<String, String> columns;

    RoutingContextFn(Map<String, String> columns) {
      this.columns = new LinkedHashMap<>(columns);
    }

    @Override
    public Map<String, Object> apply(Record r) {
      Map<String, Object> ctx = new LinkedHashMap<>();
      columns.forEach((name, type) -> {
        if (!r.has(name)) {
          throw new BadRecordException(r.source(), "CEL column '" + name + "' (of --celColumns)"
              + " is missing (fields here: " + r.fields().keySet() + "); add it to the record "
              + "or fix --celColumns");
        }
        Object v = r.get(name);
        ctx.put(name, r.typed() || !(v instanceof String s) ? v : fromText(r, name, type, s));
      });
      return ctx;
    }

    private static Object fromText(Record r, String name, String type, String s) {
      try {
        switch (type) {
          case "int":
          case "uint":
            return Long.parseLong(s.trim());
          case "double":
            return Double.parseDouble(s.trim());
          case "bool":
            if (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false")) {
              return Boolean.parseBoolean(s.trim());
            }
            throw new NumberFormatException();
          case "bytes":
            return s.getBytes(StandardCharsets.UTF_8);
          default:
            return s;
        }
      } catch (NumberFormatException e) {
        throw new BadRecordException(r.source(), "CEL column '" + name + "' is declared " + type
            + " but holds \"" + s + "\"; fix the record or the type in --celColumns");
      }
    }
  }
}
