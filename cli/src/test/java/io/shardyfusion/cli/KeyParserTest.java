package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.routing.KeyEncoding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys typed on the command line, per key encoding; and REPL line splitting. */
class KeyParserTest {

  @Test
  void integerEncodingsTakeDecimalsInRange() {
    assertThat(KeyParser.parse("42", KeyEncoding.U64BE)).isEqualTo(42L);
    assertThat(KeyParser.parse("9223372036854775807", KeyEncoding.U64BE))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(KeyParser.parse("4294967295", KeyEncoding.U32BE)).isEqualTo(4294967295L);
    assertThatThrownBy(() -> KeyParser.parse("4294967296", KeyEncoding.U32BE))
        .isInstanceOf(UsageException.class).hasMessageContaining("out of range for u32be");
    assertThatThrownBy(() -> KeyParser.parse("-1", KeyEncoding.U64BE))
        .isInstanceOf(UsageException.class);
    assertThatThrownBy(() -> KeyParser.parse("1.5", KeyEncoding.U64BE))
        .isInstanceOf(UsageException.class).hasMessageContaining("not an integer");
  }

  @Test
  void utf8KeysAreTakenAsTyped() {
    assertThat(KeyParser.parse(" a b ", KeyEncoding.UTF8)).isEqualTo(" a b ");
  }

  @Test
  void rawKeysNeedAPrefix() {
    assertThat((byte[]) KeyParser.parse("hex:0aff", KeyEncoding.RAW))
        .containsExactly(0x0a, 0xff);
    assertThat((byte[]) KeyParser.parse("0x0aff", KeyEncoding.RAW)).containsExactly(0x0a, 0xff);
    assertThat((byte[]) KeyParser.parse("base64:Cv8=", KeyEncoding.RAW))
        .containsExactly(0x0a, 0xff);
    assertThatThrownBy(() -> KeyParser.parse("0aff", KeyEncoding.RAW))
        .isInstanceOf(UsageException.class).hasMessageContaining("hex:0a1b");
    assertThatThrownBy(() -> KeyParser.parse("hex:zz", KeyEncoding.RAW))
        .isInstanceOf(UsageException.class).hasMessageContaining("not valid hex");
  }

  @Test
  void valueFormatAutoFallsBackToBase64ForBinary() {
    assertThat(ValueFormat.AUTO.resolve("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(ValueFormat.UTF8);
    byte[] binary = {(byte) 0xff, 0x00, (byte) 0xfe};
    assertThat(ValueFormat.AUTO.resolve(binary)).isEqualTo(ValueFormat.BASE64);
    assertThat(ValueFormat.AUTO.render(binary)).isEqualTo("/wD+");
    assertThat(ValueFormat.HEX.render(binary)).isEqualTo("ff00fe");
  }

  @Test
  void replLinesSplitLikeAShell() {
    assertThat(LineTokenizer.split("  get  'a b'  \"c\\\"d\" e\\ f ''")).isEqualTo(
        List.of("get", "a b", "c\"d", "e f", ""));
    assertThatThrownBy(() -> LineTokenizer.split("get 'x")).isInstanceOf(UsageException.class);
  }
}
