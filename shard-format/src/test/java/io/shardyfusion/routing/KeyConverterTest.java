package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.KeyValidationException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one text/record-value to key conversion, per key encoding. */
class KeyConverterTest {

  @Test
  void textKeysPerEncoding() {
    assertThat(KeyConverter.fromText(" 42 ", KeyEncoding.U64BE)).isEqualTo(42L);
    assertThat(KeyConverter.fromText("4294967295", KeyEncoding.U32BE)).isEqualTo(4294967295L);
    assertThat(KeyConverter.fromText("Ada", KeyEncoding.UTF8)).isEqualTo("Ada");
    assertThat((byte[]) KeyConverter.fromText("hex:0aff", KeyEncoding.RAW))
        .containsExactly(0x0a, 0xff);
    assertThat((byte[]) KeyConverter.fromText("0X0a", KeyEncoding.RAW)).containsExactly(0x0a);
    assertThat((byte[]) KeyConverter.fromText("base64:Cv8=", KeyEncoding.RAW))
        .containsExactly(0x0a, 0xff);
    assertThatThrownBy(() -> KeyConverter.fromText("4294967296", KeyEncoding.U32BE))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> KeyConverter.fromText("abc", KeyEncoding.U64BE))
        .hasMessageContaining("is not an integer");
    assertThatThrownBy(() -> KeyConverter.fromText("plain", KeyEncoding.RAW))
        .hasMessageContaining("hex:0a1b");
    assertThatThrownBy(() -> KeyConverter.fromText("base64:!!", KeyEncoding.RAW))
        .hasMessageContaining("not valid base64");
  }

  @Test
  void recordValuesPerEncodingTypedAndUntyped() {
    assertThat(KeyConverter.fromValue(7L, KeyEncoding.U64BE, true)).isEqualTo(7L);
    assertThat(KeyConverter.fromValue(BigInteger.TEN, KeyEncoding.U32BE, true)).isEqualTo(10L);
    assertThat(KeyConverter.fromValue(" 12 ", KeyEncoding.U64BE, false))
        .as("CSV text is an integer").isEqualTo(12L);
    assertThat(KeyConverter.fromValue(12L, KeyEncoding.UTF8, true)).isEqualTo("12");
    assertThat((byte[]) KeyConverter.fromValue("é", KeyEncoding.RAW, true))
        .isEqualTo("é".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> KeyConverter.fromValue("12", KeyEncoding.U64BE, true))
        .as("JSON text is not an integer").isInstanceOf(KeyConverter.WrongTypeException.class)
        .hasMessage("must be an integer for u64be, got string \"12\"");
    assertThatThrownBy(() -> KeyConverter.fromValue(1.5, KeyEncoding.U64BE, true))
        .isInstanceOfSatisfying(KeyConverter.WrongTypeException.class, e -> {
          assertThat(e.wanted()).isEqualTo("an integer");
          assertThat(e.got()).isEqualTo("decimal 1.5");
          assertThat(e.otherwise()).isEqualTo("utf8 for string keys");
        });
    assertThatThrownBy(() -> KeyConverter.fromValue(true, KeyEncoding.UTF8, true))
        .isInstanceOf(KeyConverter.WrongTypeException.class);
    assertThatThrownBy(() -> KeyConverter.fromValue(3L, KeyEncoding.RAW, true))
        .isInstanceOf(KeyConverter.WrongTypeException.class);
    assertThatThrownBy(() -> KeyConverter.fromValue(-4L, KeyEncoding.U64BE, true))
        .isNotInstanceOf(KeyConverter.WrongTypeException.class)
        .hasMessageContaining("key -4 is out of range for u64be");
  }
}
