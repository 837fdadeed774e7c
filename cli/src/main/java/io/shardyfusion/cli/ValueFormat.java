package io.shardyfusion.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How values are printed. {@link #AUTO} (the default) prints UTF-8 text when the bytes are valid
 * UTF-8 and base64 otherwise; the output's {@code value_encoding} field says which.
 */
public enum ValueFormat {
  AUTO, UTF8, BASE64, HEX;

  /** Parses {@code auto|utf8|base64|hex}, case-insensitively. */
  public static ValueFormat parse(String s) {
    for (ValueFormat f : values()) {
      if (f.name().equalsIgnoreCase(s)) {
        return f;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not a value format; use auto, utf8, "
        + "base64 or hex");
  }

  /** The encoding actually used for these bytes (never AUTO). */
  public ValueFormat resolve(byte[] value) {
    if (this != AUTO) {
      return this;
    }
    return decodeUtf8(value) != null ? UTF8 : BASE64;
  }

  /** The value as text in this format (AUTO resolved first). */
  public String render(byte[] value) {
    return switch (resolve(value)) {
      // Invalid bytes become U+FFFD: the user asked for utf8 explicitly.
      case UTF8 -> new String(value, StandardCharsets.UTF_8);
      case BASE64 -> Base64.getEncoder().encodeToString(value);
      case HEX -> HexFormat.of().formatHex(value);
      case AUTO -> throw new AssertionError();
    };
  }

  private static String decodeUtf8(byte[] value) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
