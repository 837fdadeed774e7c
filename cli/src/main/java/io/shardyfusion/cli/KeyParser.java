package io.shardyfusion.cli;

import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.routing.KeyEncoding;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Turns a key typed on the command line into the key type the snapshot's key encoding wants.
 *
 * <ul>
 *   <li>{@code u64be}, {@code u32be}: a decimal integer in the encoding's range
 *       ({@code 0..2^63-1} or {@code 0..2^32-1}).
 *   <li>{@code utf8}: the text as typed.
 *   <li>{@code raw}: bytes, written {@code hex:0a1b} (or {@code 0x0a1b}) or
 *       {@code base64:Chs=}; a prefix is required so that no key is ambiguous.
 * </ul>
 */
public final class KeyParser {
  private KeyParser() {}

  /**
   * @return a {@code Long}, {@code String} or {@code byte[]} as {@link KeyEncoding#normalize}
   *     returns them
   * @throws UsageException when the text is not a key of this encoding
   */
  public static Object parse(String text, KeyEncoding encoding) {
    return switch (encoding) {
      case U64BE, U32BE -> integer(text, encoding);
      case UTF8 -> text;
      case RAW -> raw(text);
    };
  }

  /** The key as JSON output shows it: a number, the string, or the typed raw form. */
  public static Object display(String text, Object parsed) {
    return parsed instanceof Long || parsed instanceof String ? parsed : text;
  }

  private static Object integer(String text, KeyEncoding encoding) {
    BigInteger value;
    try {
      value = new BigInteger(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("key '" + text + "' is not an integer; this snapshot's keys are "
          + encoding.wireName() + " (decimal integers)");
    }
    try {
      return encoding.normalize(value);
    } catch (KeyValidationException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static byte[] raw(String text) {
    try {
      if (text.startsWith("hex:")) {
        return HexFormat.of().parseHex(text.substring(4));
      }
      if (text.startsWith("0x") || text.startsWith("0X")) {
        return HexFormat.of().parseHex(text.substring(2));
      }
      if (text.startsWith("base64:")) {
        return Base64.getDecoder().decode(text.substring(7));
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException("key '" + text + "' is not valid " + (text.startsWith("base64:")
          ? "base64" : "hex") + ": " + e.getMessage());
    }
    throw new UsageException("key '" + text + "': this snapshot's keys are raw bytes; write "
        + "them as hex:0a1b, 0x0a1b or base64:Chs=");
  }
}
