package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.routing.KeyEncoding;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/**
 * Fuzz property (jqwik) over the CLI's key parser: any typed text either becomes a key of the
 * snapshot's encoding or is refused with a {@link UsageException} (exit code 2) whose message is
 * short; nothing else escapes.
 */
class KeyParserFuzzTest {
  private static final String[] PREFIXES = {"", "hex:", "0x", "0X", "base64:", "-", "+", " ",
      "00000000000000000000000000000000000000000000000000000000000000000000000"};

  @Property
  void anyTextParsesOrIsAUsageError(@ForAll @StringLength(max = 100) String text,
      @ForAll KeyEncoding encoding, @ForAll byte prefix) {
    String input = PREFIXES[Math.floorMod(prefix, PREFIXES.length)] + text;
    Object key;
    try {
      key = KeyParser.parse(input, encoding);
    } catch (UsageException e) {
      assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400);
      return;
    }
    assertThat(encoding.encode(key)).isNotNull();
    assertThat(KeyParser.display(input, key)).isNotNull();
  }
}
