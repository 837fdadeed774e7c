package io.shardyfusion.routing;

import io.shardyfusion.errors.KeyValidationException;
import java.nio.charset.StandardCharsets;

/**
 * The byte form of a key that routing hashes. Bit-identical to the Python system:
 * integers are 8-byte signed little-endian, strings UTF-8, byte arrays as they are.
 */
public final class CanonicalKeys {
  private CanonicalKeys() {}

  /** Canonical bytes of a normalized key ({@code Long}, {@code String} or {@code byte[]}). */
  public static byte[] canonicalBytes(Object key) {
    if (key instanceof Long || key instanceof Integer || key instanceof Short
        || key instanceof Byte) {
      return littleEndian(((Number) key).longValue());
    }
    if (key instanceof String) {
      return ((String) key).getBytes(StandardCharsets.UTF_8);
    }
    if (key instanceof byte[]) {
      return (byte[]) key;
    }
    throw new KeyValidationException("cannot hash key of type "
        + (key == null ? "null" : key.getClass().getName())
        + ": routing hashes integers, Strings and byte[]");
  }

  static byte[] littleEndian(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }
}
