package io.shardyfusion.routing;

import io.shardyfusion.errors.KeyValidationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The one conversion of keys given as text or as record (JSON/CSV/Avro) values into the key form
 * of a {@link KeyEncoding} ({@code Long}, {@code String} or {@code byte[]}, as
 * {@link KeyEncoding#normalize} returns them). Used by the CLI (keys typed on the command line),
 * the Beam job and the examples (key fields of input records).
 *
 * <ul>
 *   <li>text, {@link #fromText}: {@code u64be}/{@code u32be} a decimal integer; {@code utf8} the
 *       text as is; {@code raw} bytes written {@code hex:0a1b}, {@code 0x0a1b} or
 *       {@code base64:Chs=} (a prefix is required so that no key is ambiguous).
 *   <li>record values, {@link #fromValue}: integers ({@code Long}, {@code BigInteger}, or decimal
 *       text when the format is untyped, as CSV) for the integer encodings; a string, or an
 *       integer as its decimal text, for {@code utf8}; bytes, or a string as its UTF-8 bytes, for
 *       {@code raw}.
 * </ul>
 */
public final class KeyConverter {
  private static final int MAX_RENDER = 60;

  private KeyConverter() {}

  /** A record value of the wrong type for the encoding; says what was wanted and what was got. */
  public static final class WrongTypeException extends KeyValidationException {
    private static final long serialVersionUID = 1L;
    private final String wanted;
    private final String got;
    private final String otherwise;

    WrongTypeException(KeyEncoding encoding, String wanted, String got, String otherwise) {
      super("must be " + wanted + " for " + encoding.wireName() + ", got " + got);
      this.wanted = wanted;
      this.got = got;
      this.otherwise = otherwise;
    }

    /** What the encoding accepts, e.g. "an integer". */
    public String wanted() {
      return wanted;
    }

    /** The value's type and text, as {@link #describe} renders it. */
    public String got() {
      return got;
    }

    /** The encoding to use instead, with what it is for, e.g. "utf8 for string keys". */
    public String otherwise() {
      return otherwise;
    }
  }

  /**
   * A key typed as text (command line, script).
   *
   * @throws KeyValidationException when the text is not a key of this encoding
   */
  public static Object fromText(String text, KeyEncoding encoding) {
    return switch (encoding) {
      case U64BE, U32BE -> integerText(text, encoding);
      case UTF8 -> text;
      case RAW -> rawText(text);
    };
  }

  /**
   * A record's key field.
   *
   * @param value the field's value: Long, BigInteger, String, byte[] (anything else is a type
   *     error)
   * @param typed false when every value of the format is text that may stand for a number (CSV)
   * @throws WrongTypeException when the value's type does not fit the encoding
   * @throws KeyValidationException when the value is out of the encoding's range
   */
  public static Object fromValue(Object value, KeyEncoding encoding, boolean typed) {
    Object raw;
    switch (encoding) {
      case U64BE:
      case U32BE:
        if (value instanceof Long || value instanceof BigInteger) {
          raw = value;
        } else if (!typed && value instanceof String s && isInteger(s.trim())) {
          raw = new BigInteger(s.trim());
        } else {
          throw new WrongTypeException(encoding, "an integer", describe(value),
              "utf8 for string keys");
        }
        break;
      case UTF8:
        if (value instanceof String) {
          raw = value;
        } else if (value instanceof Long || value instanceof BigInteger) {
          raw = value.toString(); // an integer key stored as its decimal text
        } else {
          throw new WrongTypeException(encoding,
              "a string (or an integer, stored as its decimal text)", describe(value),
              "raw for bytes keys");
        }
        break;
      case RAW:
        if (value instanceof byte[]) {
          raw = value;
        } else if (value instanceof String s) {
          raw = s.getBytes(StandardCharsets.UTF_8);
        } else {
          throw new WrongTypeException(encoding, "bytes or a string (stored as its UTF-8 bytes)",
              describe(value), "u64be for integer keys");
        }
        break;
      default:
        throw new AssertionError(encoding);
    }
    return encoding.normalize(raw);
  }

  /** A short rendering of a record value for messages: its type and text. */
  public static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    String type;
    String text = v.toString();
    if (v instanceof byte[] b) {
      type = "bytes";
      text = "0x" + HexFormat.of().formatHex(b, 0, Math.min(b.length, 24));
    } else if (v instanceof String s) {
      type = "string";
      text = "\"" + s + "\"";
    } else if (v instanceof Long || v instanceof BigInteger) {
      type = "integer";
    } else if (v instanceof Double || v instanceof BigDecimal) {
      type = "decimal";
    } else if (v instanceof Boolean) {
      type = "boolean";
    } else if (v instanceof List) {
      type = "list";
    } else if (v instanceof Map) {
      type = "object";
    } else {
      type = v.getClass().getSimpleName();
    }
    if (text.length() > MAX_RENDER) {
      text = text.substring(0, MAX_RENDER - 3) + "...";
    }
    return type + " " + text;
  }

  private static boolean isInteger(String s) {
    try {
      new BigInteger(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Object integerText(String text, KeyEncoding encoding) {
    BigInteger value;
    String digits = text.trim();
    // 2^63-1 has 19 digits: longer text (leading zeros aside) is out of range, and parsing a
    // megabyte of digits would cost seconds for nothing
    if (digits.length() > 64) {
      throw new KeyValidationException("key '" + abbreviate(text) + "' (" + text.length()
          + " characters) is not a " + encoding.wireName() + " key: " + encoding.wireName()
          + " keys are decimal integers of at most 20 digits");
    }
    try {
      value = new BigInteger(digits);
    } catch (NumberFormatException e) {
      throw new KeyValidationException("key '" + abbreviate(text) + "' is not an integer; this "
          + "snapshot's keys are " + encoding.wireName() + " (decimal integers)");
    }
    return encoding.normalize(value);
  }

  private static byte[] rawText(String text) {
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
      throw new KeyValidationException("key '" + abbreviate(text) + "' is not valid "
          + (text.startsWith("base64:") ? "base64" : "hex") + ": " + e.getMessage());
    }
    throw new KeyValidationException("key '" + abbreviate(text) + "': this snapshot's keys are "
        + "raw bytes; write them as hex:0a1b, 0x0a1b or base64:Chs=");
  }

  /** Key text for messages: a hostile megabyte-long key must not become a megabyte message. */
  private static String abbreviate(String text) {
    return text.length() > MAX_RENDER ? text.substring(0, MAX_RENDER - 3) + "..." : text;
  }
}
