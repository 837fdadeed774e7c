package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python's sorted() order for inferred routing values, the bounded set, the token function. */
class RoutingValueInferenceTest {

  @Test
  void integersSortNumericallyNotAsText() {
    assertThat(RoutingValueInference.sorted(List.of(10L, -3L, 2L, 100L)))
        .containsExactly(-3L, 2L, 10L, 100L);
  }

  @Test
  void stringsSortByCodePointAsPythonNotByUtf16Units() {
    String fullwidthA = "\uFF21"; // U+FF21, above the surrogates as a UTF-16 unit
    String grinning = "\uD83D\uDE00"; // U+1F600, a surrogate pair
    assertThat(grinning.compareTo(fullwidthA)).as("Java's own order").isNegative();
    assertThat(RoutingValueInference.sorted(List.of(grinning, fullwidthA, "b", "B", "ab", "a")))
        .containsExactly("B", "a", "ab", "b", fullwidthA, grinning);
  }

  @Test
  void bytesSortUnsigned() {
    List<Object> sorted = RoutingValueInference.sorted(List.of(new byte[] {(byte) 0x80},
        new byte[] {0x01, 0x02}, new byte[] {0x01}));
    assertThat(sorted).containsExactly(new byte[] {0x01}, new byte[] {0x01, 0x02},
        new byte[] {(byte) 0x80});
  }

  @Test
  void mixedEmptyAndTooManyAreRefused() {
    assertThatThrownBy(() -> RoutingValueInference.sorted(List.of(1L, "1")))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("more than one type (int and string)");
    assertThatThrownBy(() -> RoutingValueInference.sorted(List.of()))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("no records to infer routing values from");
    RoutingValueInference.Distinct three = new RoutingValueInference.Distinct(3);
    three.add("a");
    three.add("b");
    three.add("a");
    three.add(new byte[] {1});
    three.add(new byte[] {1});
    assertThat(three.size()).isEqualTo(3);
    assertThatThrownBy(() -> three.add("c"))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("more than 3 distinct tokens");
    assertThatThrownBy(() -> RoutingValueInference.checkCount(RoutingValueInference.MAX_VALUES
        + 1)).isInstanceOf(ConfigValidationException.class);
  }

  @Test
  void theTextFormRoundTripsEveryTokenType() {
    for (Object t : List.of(42L, -7L, "eu:west", "", new byte[] {0, (byte) 0xff})) {
      Object back = RoutingValueInference.decode(RoutingValueInference.encode(t));
      assertThat(RoutingValueInference.PYTHON_ORDER.compare(back, t)).isZero();
    }
    List<String> encoded = new ArrayList<>();
    for (Object t : List.of(3L, 1L, 2L)) {
      encoded.add(RoutingValueInference.encode(t));
    }
    assertThat(RoutingValueInference.decodeSorted(encoded)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void tokensAreWhatTheExpressionYieldsForKeyAndColumns() {
    RoutingValueInference.Tokens byKey = RoutingValueInference.tokens(
        ShardingSpec.cel("uint(key) % 3u"), KeyEncoding.U64BE);
    assertThat(byKey.of(7, null)).isEqualTo(1L);
    RoutingValueInference.Tokens byColumn = RoutingValueInference.tokens(
        ShardingSpec.celColumns("region + \":\" + string(tier)",
            Map.of("region", "string", "tier", "int")), KeyEncoding.U64BE);
    assertThat(byColumn.of(1L, Map.of("region", "eu", "tier", 2))).isEqualTo("eu:2");
    RoutingValueInference.Tokens bytes = RoutingValueInference.tokens(
        ShardingSpec.cel("bytes(key)"), KeyEncoding.UTF8);
    assertThat((byte[]) bytes.of("hé", null)).isEqualTo("hé".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> RoutingValueInference.tokens(ShardingSpec.cel("double(key)"),
        KeyEncoding.U64BE)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("categorical token must be an int, uint, string or bytes");
    RoutingValueInference.Tokens dyn = RoutingValueInference.tokens(
        ShardingSpec.cel("key > 5 ? dyn(true) : dyn(key)"), KeyEncoding.U64BE);
    assertThatThrownBy(() -> dyn.of(9L, null)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("expected a categorical token");
  }

  @Test
  void onlyCelWithoutValuesOrBoundariesCanBeInferred() {
    assertThatThrownBy(() -> RoutingValueInference.tokens(ShardingSpec.hash(),
        KeyEncoding.U64BE)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("without routingValues or boundaries");
    assertThatThrownBy(() -> RoutingValueInference.tokens(ShardingSpec.celCategorical("key",
        null, List.of(1L)), KeyEncoding.U64BE)).isInstanceOf(ConfigValidationException.class);
  }
}
