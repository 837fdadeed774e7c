package io.shardyfusion.serve;

import java.util.Base64;

/**
 * How values appear in JSON answers (multiget always, single gets when JSON is asked for). The
 * CLI passes its own value formats ({@code auto}, {@code utf8}, {@code base64}, {@code hex});
 * the default is base64, which every value survives.
 */
public interface ValueRenderer {
  /** The value as JSON text. */
  String render(byte[] value);

  /** The name of the encoding {@link #render} used for this value (the {@code value_encoding}). */
  String encodingOf(byte[] value);

  /** Base64 (RFC 4648, with padding). */
  static ValueRenderer base64() {
    return new ValueRenderer() {
      @Override
      public String render(byte[] value) {
        return Base64.getEncoder().encodeToString(value);
      }

      @Override
      public String encodingOf(byte[] value) {
        return "base64";
      }
    };
  }
}
