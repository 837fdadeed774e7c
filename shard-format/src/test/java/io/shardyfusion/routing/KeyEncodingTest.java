package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.KeyValidationException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyEncodingTest {

  @Test
  void wireNamesRoundTripCaseInsensitively() {
    for (KeyEncoding e : KeyEncoding.values()) {
      assertThat(KeyEncoding.fromWireName(e.wireName())).isSameAs(e);
      assertThat(KeyEncoding.fromWireName(e.wireName().toUpperCase())).isSameAs(e);
    }
    assertThatThrownBy(() -> KeyEncoding.fromWireName("u16be"))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("'u16be'")
        .hasMessageContaining("u64be, u32be, utf8, raw");
    assertThatThrownBy(() -> KeyEncoding.fromWireName(null))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("'null'");
  }

  @Test
  void u64beIsEightBigEndianBytes() {
    assertThat(KeyEncoding.U64BE.encode(0x0102030405060708L))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(KeyEncoding.U64BE.encode(1)).containsExactly(0, 0, 0, 0, 0, 0, 0, 1);
    assertThat(KeyEncoding.encodeU64(Long.MAX_VALUE))
        .isEqualTo(KeyEncoding.U64BE.encode(BigInteger.valueOf(Long.MAX_VALUE)));
  }

  @Test
  void u32beIsFourBigEndianBytes() {
    assertThat(KeyEncoding.U32BE.encode(0xFFFF_FFFFL)).containsExactly(0xff, 0xff, 0xff, 0xff);
    assertThat(KeyEncoding.U32BE.encode((short) 258)).containsExactly(0, 0, 1, 2);
  }

  @Test
  void integerEncodingsRoundTrip() {
    Random rnd = new Random(7);
    for (int i = 0; i < 1000; i++) {
      long v64 = rnd.nextLong() & Long.MAX_VALUE;
      long v32 = rnd.nextLong() & 0xFFFF_FFFFL;
      assertThat(KeyEncoding.U64BE.decode(KeyEncoding.U64BE.encode(v64))).isEqualTo(v64);
      assertThat(KeyEncoding.U32BE.decode(KeyEncoding.U32BE.encode(v32))).isEqualTo(v32);
    }
    for (long edge : new long[] {0, 1, 255, 256, Long.MAX_VALUE}) {
      assertThat(KeyEncoding.U64BE.decode(KeyEncoding.U64BE.encode(edge))).isEqualTo(edge);
    }
  }

  @Test
  void textAndRawRoundTrip() {
    for (String s : new String[] {"", "a", "é日本😀", "tab\tnul\u0000"}) {
      assertThat(KeyEncoding.UTF8.decode(KeyEncoding.UTF8.encode(s))).isEqualTo(s);
    }
    assertThat(KeyEncoding.UTF8.encode(new StringBuilder("ab"))).containsExactly('a', 'b');
    byte[] raw = {0, (byte) 0xff, 7};
    byte[] decoded = (byte[]) KeyEncoding.RAW.decode(KeyEncoding.RAW.encode(raw));
    assertThat(decoded).isEqualTo(raw);
    decoded[0] = 9;
    assertThat(KeyEncoding.RAW.decode(raw)).as("decode returns a copy")
        .isEqualTo(new byte[] {0, (byte) 0xff, 7});
  }

  @Test
  void jsonValuesRoundTrip() {
    assertThat(KeyEncoding.U64BE.toJsonValue(KeyEncoding.U64BE.encode(42L))).isEqualTo(42L);
    assertThat(KeyEncoding.U64BE.fromJsonValue(42)).isEqualTo(KeyEncoding.U64BE.encode(42L));
    assertThat(KeyEncoding.UTF8.fromJsonValue(KeyEncoding.UTF8.toJsonValue(
        KeyEncoding.UTF8.encode("k😀")))).isEqualTo(KeyEncoding.UTF8.encode("k😀"));
    byte[] raw = {1, 2, (byte) 0xfe};
    assertThat(KeyEncoding.RAW.toJsonValue(raw)).isEqualTo("AQL+");
    assertThat(KeyEncoding.RAW.fromJsonValue("AQL+")).isEqualTo(raw);
    assertThat(KeyEncoding.RAW.describe(raw)).isEqualTo("0x0102fe");
    assertThat(KeyEncoding.UTF8.describe(KeyEncoding.UTF8.encode("k"))).isEqualTo("\"k\"");
  }

  @Test
  void bigEndianByteOrderMatchesNumericOrder() {
    Random rnd = new Random(11);
    for (KeyEncoding e : new KeyEncoding[] {KeyEncoding.U64BE, KeyEncoding.U32BE}) {
      long mask = e == KeyEncoding.U64BE ? Long.MAX_VALUE : 0xFFFF_FFFFL;
      for (int i = 0; i < 2000; i++) {
        // mix small and large magnitudes so that different byte positions decide
        long a = rnd.nextLong() & mask >>> rnd.nextInt(60);
        long b = rnd.nextLong() & mask >>> rnd.nextInt(60);
        assertThat(Integer.signum(Arrays.compareUnsigned(e.encode(a), e.encode(b))))
            .as("%s %d vs %d", e, a, b).isEqualTo(Long.signum(Long.compare(a, b)));
      }
    }
  }

  @Test
  void normalizeGivesTheCanonicalJavaForm() {
    assertThat(KeyEncoding.U64BE.normalize(5)).isEqualTo(5L);
    assertThat(KeyEncoding.U64BE.normalize((byte) 5)).isEqualTo(5L);
    assertThat(KeyEncoding.U32BE.normalize(BigInteger.TEN)).isEqualTo(10L);
    assertThat(KeyEncoding.UTF8.normalize(new StringBuilder("s"))).isEqualTo("s");
  }

  @Test
  void nullKeyIsRejected() {
    for (KeyEncoding e : KeyEncoding.values()) {
      assertThatThrownBy(() -> e.normalize(null)).isInstanceOf(KeyValidationException.class)
          .hasMessageContaining("key is null").hasMessageContaining(e.wireName());
      assertThatThrownBy(() -> e.encode(null)).isInstanceOf(KeyValidationException.class);
    }
  }

  @Test
  void wrongTypeNamesTheKeyTypeAndEncoding() {
    assertThatThrownBy(() -> KeyEncoding.U64BE.encode("12"))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("'12'")
        .hasMessageContaining("java.lang.String").hasMessageContaining("u64be")
        .hasMessageContaining("integers");
    assertThatThrownBy(() -> KeyEncoding.U32BE.encode(1.5))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("java.lang.Double");
    assertThatThrownBy(() -> KeyEncoding.UTF8.encode(12L))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("java.lang.Long")
        .hasMessageContaining("utf8 keys are Strings");
    assertThatThrownBy(() -> KeyEncoding.RAW.encode("ab"))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("raw keys are byte[]");
    assertThatThrownBy(() -> KeyEncoding.UTF8.encode(new byte[] {1}))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("0x01");
  }

  @Test
  void negativeIntegersAreOutOfRange() {
    assertThatThrownBy(() -> KeyEncoding.U64BE.encode(-1L))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("key -1")
        .hasMessageContaining("out of range for u64be");
    assertThatThrownBy(() -> KeyEncoding.U32BE.encode(-5))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("key -5")
        .hasMessageContaining("0..4294967295");
  }

  @Test
  void u32beRejectsValuesAbove32Bits() {
    assertThat(KeyEncoding.U32BE.encode(0xFFFF_FFFFL)).hasSize(4);
    assertThatThrownBy(() -> KeyEncoding.U32BE.encode(1L << 32))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("4294967296")
        .hasMessageContaining("out of range for u32be");
    assertThatThrownBy(() -> KeyEncoding.U32BE.encode(BigInteger.ONE.shiftLeft(40)))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("out of range");
  }

  @Test
  void bigIntegerOutsideSignedLongIsOutOfRange() {
    BigInteger twoTo63 = BigInteger.ONE.shiftLeft(63);
    assertThatThrownBy(() -> KeyEncoding.U64BE.encode(twoTo63))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining(twoTo63.toString())
        .hasMessageContaining("0..9223372036854775807");
    assertThatThrownBy(() -> KeyEncoding.U64BE.encode(BigInteger.valueOf(-3)))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("key -3");
  }
}
