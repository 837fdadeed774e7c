package io.shardyfusion.transforms;

import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.ByteCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * The field coders {@link ShardAttemptCoder} and {@link BuildResultCoder} share: strings,
 * numbers, shard files and the JSON-form keys of a shard (number, string, or base64 string).
 */
final class WriterCoders {
  static final Coder<String> STRING = StringUtf8Coder.of();
  static final Coder<String> NULLABLE_STRING = NullableCoder.of(StringUtf8Coder.of());
  static final Coder<Integer> INT = VarIntCoder.of();
  static final Coder<Long> LONG = VarLongCoder.of();
  static final Coder<List<ShardFile>> FILES = ListCoder.of(new ShardFileCoder());
  static final Coder<Object> KEY = new JsonKeyCoder();
  static final Coder<ShardMeta> SHARD_META = new ShardMetaCoder();

  private WriterCoders() {}

  /** A shard file: name, size, CRC32C. */
  static final class ShardFileCoder extends AtomicCoder<ShardFile> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(ShardFile f, OutputStream out) throws IOException {
      STRING.encode(f.name(), out);
      LONG.encode(f.size(), out);
      NULLABLE_STRING.encode(f.crc32c(), out); // null: a Python manifest's size-only file
    }

    @Override
    public ShardFile decode(InputStream in) throws IOException {
      return new ShardFile(STRING.decode(in), LONG.decode(in), NULLABLE_STRING.decode(in));
    }
  }

  /**
   * A key in the manifest's JSON form, keeping its Java type: null, Long, Integer, String,
   * BigInteger (a u64 above Long.MAX_VALUE parsed from JSON) or Double.
   */
  static final class JsonKeyCoder extends AtomicCoder<Object> {
    private static final long serialVersionUID = 1L;
    private static final byte NULL = 0;
    private static final byte LONG_TAG = 1;
    private static final byte INT_TAG = 2;
    private static final byte STRING_TAG = 3;
    private static final byte BIG_TAG = 4;
    private static final byte DOUBLE_TAG = 5;

    @Override
    public void encode(Object key, OutputStream out) throws IOException {
      if (key == null) {
        ByteCoder.of().encode(NULL, out);
      } else if (key instanceof Long l) {
        ByteCoder.of().encode(LONG_TAG, out);
        LONG.encode(l, out);
      } else if (key instanceof Integer i) {
        ByteCoder.of().encode(INT_TAG, out);
        INT.encode(i, out);
      } else if (key instanceof String s) {
        ByteCoder.of().encode(STRING_TAG, out);
        STRING.encode(s, out);
      } else if (key instanceof BigInteger b) {
        ByteCoder.of().encode(BIG_TAG, out);
        STRING.encode(b.toString(), out);
      } else if (key instanceof Double d) {
        ByteCoder.of().encode(DOUBLE_TAG, out);
        DoubleCoder.of().encode(d, out);
      } else {
        throw new CoderException("cannot encode a shard key of type "
            + key.getClass().getName() + " (" + key + "); keys are numbers or strings");
      }
    }

    @Override
    public Object decode(InputStream in) throws IOException {
      byte tag = ByteCoder.of().decode(in);
      switch (tag) {
        case NULL:
          return null;
        case LONG_TAG:
          return LONG.decode(in);
        case INT_TAG:
          return INT.decode(in);
        case STRING_TAG:
          return STRING.decode(in);
        case BIG_TAG:
          return new BigInteger(STRING.decode(in));
        case DOUBLE_TAG:
          return DoubleCoder.of().decode(in);
        default:
          throw new CoderException("unknown shard key tag " + tag);
      }
    }
  }

  /** A published shard as the manifest lists it. */
  static final class ShardMetaCoder extends AtomicCoder<ShardMeta> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(ShardMeta m, OutputStream out) throws IOException {
      INT.encode(m.dbId(), out);
      STRING.encode(m.dbUrl(), out);
      NULLABLE_STRING.encode(m.attempt(), out);
      LONG.encode(m.rowCount(), out);
      LONG.encode(m.dbBytes(), out);
      KEY.encode(m.minKey(), out);
      KEY.encode(m.maxKey(), out);
      FILES.encode(m.files(), out);
      ShardMeta.WriterInfo w = m.writerInfo();
      BooleanCoder.of().encode(w != null, out);
      if (w != null) {
        NULLABLE_STRING.encode(w.writer(), out);
        NULLABLE_STRING.encode(w.host(), out);
        LONG.encode(w.durationMs(), out);
      }
      NULLABLE_STRING.encode(m.contentHash(), out);
      NULLABLE_STRING.encode(m.checkpointId(), out);
    }

    @Override
    public ShardMeta decode(InputStream in) throws IOException {
      int dbId = INT.decode(in);
      String dbUrl = STRING.decode(in);
      String attempt = NULLABLE_STRING.decode(in);
      long rows = LONG.decode(in);
      long bytes = LONG.decode(in);
      Object minKey = KEY.decode(in);
      Object maxKey = KEY.decode(in);
      List<ShardFile> files = FILES.decode(in);
      ShardMeta.WriterInfo w = BooleanCoder.of().decode(in)
          ? new ShardMeta.WriterInfo(NULLABLE_STRING.decode(in), NULLABLE_STRING.decode(in),
              LONG.decode(in))
          : null;
      return new ShardMeta(dbId, dbUrl, attempt, rows, bytes, minKey, maxKey, files, w,
          NULLABLE_STRING.decode(in), NULLABLE_STRING.decode(in));
    }
  }
}
