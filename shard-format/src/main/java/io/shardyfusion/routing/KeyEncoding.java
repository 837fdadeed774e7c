package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.KeyValidationException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How a key is stored inside a shard. The byte order of the stored key is RocksDB's sort order,
 * so the integer encodings are big-endian: numeric order and byte order agree.
 *
 * <p>Routing never looks at the stored bytes: it hashes {@link CanonicalKeys#canonicalBytes
 * canonical bytes}, which are the Python system's definition.
 *
 * <table>
 *   <caption>Accepted key types</caption>
 *   <tr><th>encoding</th><th>Java key types</th><th>range</th></tr>
 *   <tr><td>{@code u64be}</td><td>Long, Integer, Short, Byte, BigInteger</td><td>0 .. 2^63-1</td></tr>
 *   <tr><td>{@code u32be}</td><td>Long, Integer, Short, Byte, BigInteger</td><td>0 .. 2^32-1</td></tr>
 *   <tr><td>{@code utf8}</td><td>String (any CharSequence)</td><td>any</td></tr>
 *   <tr><td>{@code raw}</td><td>byte[]</td><td>any</td></tr>
 * </table>
 *
 * <p>u64be stops at 2^63-1, not 2^64-1, because routing hashes integers as signed 64-bit values.
 */
public enum KeyEncoding {
  U64BE("u64be"),
  U32BE("u32be"),
  UTF8("utf8"),
  RAW("raw");

  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final long U32_MAX = 0xFFFF_FFFFL;

  private final String wireName;

  KeyEncoding(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in manifests and configuration ({@code u64be}, {@code utf8}, ...). */
  public String wireName() {
    return wireName;
  }

  public boolean isInteger() {
    return this == U64BE || this == U32BE;
  }

  /** Parses a wire name, case-insensitively. */
  public static KeyEncoding fromWireName(String name) {
    if (name != null) {
      String lower = name.toLowerCase(Locale.ROOT);
      for (KeyEncoding e : values()) {
        if (e.wireName.equals(lower)) {
          return e;
        }
      }
    }
    throw new ConfigValidationException(
        "keyEncoding '" + name + "' is not supported; use one of u64be, u32be, utf8, raw");
  }

  /**
   * Checks a key's type and range and returns it in the one form the rest of the library uses:
   * {@code Long} for the integer encodings, {@code String} for utf8, {@code byte[]} for raw.
   *
   * @throws KeyValidationException naming the key, its type and what the encoding accepts
   */
  public Object normalize(Object key) {
    if (key == null) {
      throw new KeyValidationException("key is null; every record needs a non-null key ("
          + wireName + " keys are " + acceptedTypes() + ")");
    }
    switch (this) {
      case U64BE:
      case U32BE: {
        long value = integerValue(key);
        long max = this == U64BE ? Long.MAX_VALUE : U32_MAX;
        if (value < 0 || value > max) {
          throw new KeyValidationException("key " + value + " is out of range for " + wireName
              + ": valid keys are 0.." + max);
        }
        return key instanceof Long ? key : Long.valueOf(value); // no re-boxing on the hot path
      }
      case UTF8:
        if (key instanceof CharSequence) {
          return key.toString();
        }
        throw wrongType(key);
      case RAW:
        if (key instanceof byte[]) {
          return key;
        }
        throw wrongType(key);
      default:
        throw new AssertionError(this);
    }
  }

  /** Encodes a key to the bytes stored in the shard (after {@link #normalize} checks). */
  public byte[] encode(Object key) {
    return encodeNormalized(normalize(key));
  }

  /** Encodes a key that {@link #normalize} already returned; skips the checks. */
  public byte[] encodeNormalized(Object k) {
    switch (this) {
      case U64BE:
        return encodeU64(((Long) k));
      case U32BE: {
        long v = (Long) k;
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
      }
      case UTF8:
        return ((String) k).getBytes(StandardCharsets.UTF_8);
      case RAW:
        return (byte[]) k;
      default:
        throw new AssertionError(this);
    }
  }

  /** Big-endian 8 bytes; the fast path for writers that already hold a checked long. */
  public static byte[] encodeU64(long v) {
    byte[] b = new byte[8];
    LONG_BE.set(b, 0, v);
    return b;
  }

  /** Decodes stored bytes back to the normalized key form. */
  public Object decode(byte[] stored) {
    switch (this) {
      case U64BE:
      case U32BE: {
        long v = 0;
        for (byte b : stored) {
          v = (v << 8) | (b & 0xFF);
        }
        return v;
      }
      case UTF8:
        return new String(stored, StandardCharsets.UTF_8);
      case RAW:
        return stored.clone();
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * The JSON form of a stored key, as manifests carry {@code min_key}/{@code max_key}: a number
   * for integer encodings, a string for utf8, base64 for raw.
   */
  public Object toJsonValue(byte[] stored) {
    if (this == RAW) {
      return Base64.getEncoder().encodeToString(stored);
    }
    return decode(stored);
  }

  /** The inverse of {@link #toJsonValue}. */
  public byte[] fromJsonValue(Object json) {
    if (this == RAW) {
      return Base64.getDecoder().decode((String) json);
    }
    if (isInteger()) {
      return encode(((Number) json).longValue());
    }
    return encode(json);
  }

  /** A readable rendering of a stored key for messages: number, quoted string or hex. */
  public String describe(byte[] stored) {
    switch (this) {
      case U64BE:
      case U32BE:
        return String.valueOf(decode(stored));
      case UTF8:
        return "\"" + new String(stored, StandardCharsets.UTF_8) + "\"";
      default:
        return "0x" + HexFormat.of().formatHex(stored);
    }
  }

  private String acceptedTypes() {
    switch (this) {
      case U64BE:
      case U32BE:
        return "integers (Long, Integer, Short, Byte or BigInteger)";
      case UTF8:
        return "Strings";
      default:
        return "byte[]";
    }
  }

  private long integerValue(Object key) {
    if (key instanceof Long || key instanceof Integer || key instanceof Short
        || key instanceof Byte) {
      return ((Number) key).longValue();
    }
    if (key instanceof BigInteger) {
      BigInteger big = (BigInteger) key;
      if (big.signum() < 0 || big.compareTo(LONG_MAX) > 0) {
        throw new KeyValidationException("key " + big + " is out of range for " + wireName
            + ": valid keys are 0.." + (this == U64BE ? Long.MAX_VALUE : U32_MAX));
      }
      return big.longValue();
    }
    throw wrongType(key);
  }

  private KeyValidationException wrongType(Object key) {
    return new KeyValidationException("key " + render(key) + " of type "
        + key.getClass().getName() + " cannot be stored with key encoding " + wireName + ": "
        + wireName + " keys are " + acceptedTypes()
        + "; convert the key or choose another keyEncoding");
  }

  private static String render(Object key) {
    if (key instanceof byte[]) {
      return "0x" + HexFormat.of().formatHex((byte[]) key);
    }
    String s = String.valueOf(key);
    return s.length() > 64 ? "'" + s.substring(0, 64) + "...'" : "'" + s + "'";
  }
}
