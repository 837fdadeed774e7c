package io.shardyfusion.pipelines;

import io.shardyfusion.records.Record;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * A compact, explicit coder for {@link Record}: a tag byte per value, no Java serialization.
 * Strings are length-prefixed UTF-8, so records of any size and content round-trip.
 */
public final class RecordCoder extends AtomicCoder<Record> {
  private static final long serialVersionUID = 1L;
  private static final RecordCoder INSTANCE = new RecordCoder();

  private static final int NULL = 0;
  private static final int LONG = 1;
  private static final int DOUBLE = 2;
  private static final int TRUE = 3;
  private static final int FALSE = 4;
  private static final int STRING = 5;
  private static final int BYTES = 6;
  private static final int LIST = 7;
  private static final int MAP = 8;
  private static final int BIG_INTEGER = 9;
  private static final int BIG_DECIMAL = 10;

  private RecordCoder() {}

  public static RecordCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Record value, OutputStream outStream) throws IOException {
    DataOutputStream out = new DataOutputStream(outStream);
    writeString(out, value.source());
    out.writeBoolean(value.typed());
    writeMap(out, value.fields());
    out.flush();
  }

  @Override
  public Record decode(InputStream inStream) throws IOException {
    DataInputStream in = new DataInputStream(inStream);
    String source = readString(in);
    boolean typed = in.readBoolean();
    return new Record(source, readMap(in), typed);
  }

  private static void writeMap(DataOutputStream out, Map<String, Object> map) throws IOException {
    out.writeInt(map.size());
    for (Map.Entry<String, Object> e : map.entrySet()) {
      writeString(out, e.getKey());
      writeValue(out, e.getValue());
    }
  }

  private static Map<String, Object> readMap(DataInputStream in) throws IOException {
    int n = in.readInt();
    Map<String, Object> map = new LinkedHashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      String k = readString(in);
      map.put(k, readValue(in));
    }
    return map;
  }

  @SuppressWarnings("unchecked")
  private static void writeValue(DataOutputStream out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (v instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (v instanceof Boolean b) {
      out.writeByte(b ? TRUE : FALSE);
    } else if (v instanceof String s) {
      out.writeByte(STRING);
      writeString(out, s);
    } else if (v instanceof byte[] b) {
      out.writeByte(BYTES);
      out.writeInt(b.length);
      out.write(b);
    } else if (v instanceof List<?> list) {
      out.writeByte(LIST);
      out.writeInt(list.size());
      for (Object o : list) {
        writeValue(out, o);
      }
    } else if (v instanceof Map<?, ?> m) {
      out.writeByte(MAP);
      writeMap(out, (Map<String, Object>) m);
    } else if (v instanceof BigInteger b) {
      out.writeByte(BIG_INTEGER);
      writeString(out, b.toString());
    } else if (v instanceof BigDecimal b) {
      out.writeByte(BIG_DECIMAL);
      writeString(out, b.toString());
    } else {
      throw new CoderException("RecordCoder cannot encode a " + v.getClass().getName()
          + "; Values.normalize should have converted it");
    }
  }

  private static Object readValue(DataInputStream in) throws IOException {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case NULL:
        return null;
      case LONG:
        return in.readLong();
      case DOUBLE:
        return in.readDouble();
      case TRUE:
        return Boolean.TRUE;
      case FALSE:
        return Boolean.FALSE;
      case STRING:
        return readString(in);
      case BYTES: {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
      }
      case LIST: {
        int n = in.readInt();
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(readValue(in));
        }
        return list;
      }
      case MAP:
        return readMap(in);
      case BIG_INTEGER:
        return new BigInteger(readString(in));
      case BIG_DECIMAL:
        return new BigDecimal(readString(in));
      default:
        throw new CoderException("corrupt Record encoding: unknown tag " + tag);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
