package io.shardyfusion.cli;

import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.routing.KeyConverter;
import io.shardyfusion.routing.KeyEncoding;

/**
 * Turns a key typed on the command line into the key type the snapshot's key encoding wants,
 * with {@link KeyConverter#fromText} (the one text-to-key conversion, shared with the Beam job
 * and the examples): decimal integers for {@code u64be}/{@code u32be}, the text for
 * {@code utf8}, {@code hex:0a1b}, {@code 0x0a1b} or {@code base64:Chs=} for {@code raw}.
 */
public final class KeyParser {
  private KeyParser() {}

  /**
   * @return a {@code Long}, {@code String} or {@code byte[]} as {@link KeyEncoding#normalize}
   *     returns them
   * @throws UsageException when the text is not a key of this encoding
   */
  public static Object parse(String text, KeyEncoding encoding) {
    try {
      return KeyConverter.fromText(text, encoding);
    } catch (KeyValidationException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The key as JSON output shows it: a number, the string, or the typed raw form. */
  public static Object display(String text, Object parsed) {
    return parsed instanceof Long || parsed instanceof String ? parsed : text;
  }
}
