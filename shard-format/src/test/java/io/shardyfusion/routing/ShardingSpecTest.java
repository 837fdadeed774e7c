package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardingSpecTest {

  @Test
  void hashSpec() {
    ShardingSpec s = ShardingSpec.hash();
    assertThat(s.strategy()).isEqualTo(ShardingStrategy.HASH);
    assertThat(s.hashAlgorithm()).isEqualTo("xxh3_64");
    assertThat(s.celExpr()).isNull();
    assertThat(s.needsRoutingContext()).isFalse();
    assertThat(s.impliedNumDbs()).isEqualTo(-1);
  }

  @Test
  void boundariesAreNormalizedCopiedAndImplyNumDbs() {
    List<Object> input = new ArrayList<>(List.of(1, 5L, BigInteger.TEN));
    ShardingSpec s = ShardingSpec.cel("key", input);
    input.set(0, 100L);
    assertThat(s.boundaries()).containsExactly(1L, 5L, 10L);
    assertThat(s.impliedNumDbs()).isEqualTo(4);
    assertThatThrownBy(() -> s.boundaries().add(11L))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(ShardingSpec.cel("key", List.of(0.5f, 1.5)).boundaries()).containsExactly(0.5, 1.5);
  }

  @Test
  void equalityComparesByteBoundariesByContent() {
    ShardingSpec a = ShardingSpec.cel("key", List.of(new byte[] {1}, new byte[] {2}));
    ShardingSpec b = ShardingSpec.cel("key", List.of(new byte[] {1}, new byte[] {2}));
    ShardingSpec c = ShardingSpec.cel("key", List.of(new byte[] {1}, new byte[] {3}));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
  }

  @Test
  void unsortedBoundariesAreRejected() {
    assertThatThrownBy(() -> ShardingSpec.cel("key", List.of(10L, 5L)))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("strictly increasing")
        .hasMessageContaining("boundary 0 (10) >= boundary 1 (5)");
    assertThatThrownBy(() -> ShardingSpec.cel("key", List.of("b", "b")))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("strictly increasing");
  }

  @Test
  void mixedBoundaryTypesAreRejected() {
    assertThatThrownBy(() -> ShardingSpec.cel("key", List.of(1L, "a")))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("mix types").hasMessageContaining("boundary 1 is a String")
        .hasMessageContaining("boundary 0 is a Long");
    assertThatThrownBy(() -> ShardingSpec.cel("key", List.of(1L, 2.5)))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("Double");
  }

  @Test
  void emptyBoundariesAreRejected() {
    assertThatThrownBy(() -> ShardingSpec.cel("key", List.of()))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("boundaries is empty");
  }

  @Test
  void unsupportedBoundaryValuesAreRejected() {
    assertThatThrownBy(() -> ShardingSpec.cel("key", List.of(true)))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("boundary 0 (true) has type Boolean");
    assertThatThrownBy(() -> ShardingSpec.cel("key", Arrays.asList(1L, null)))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("boundary 1 (null) has type null");
  }

  @Test
  void celWithoutExpressionIsRejected() {
    assertThatThrownBy(() -> ShardingSpec.cel(null))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("needs a celExpr");
    assertThatThrownBy(() -> ShardingSpec.cel("  "))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("needs a celExpr");
  }

  @Test
  void unknownColumnTypeIsRejected() {
    assertThatThrownBy(() -> ShardingSpec.celColumns("x", Map.of("x", "float")))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("type 'float' for column 'x'")
        .hasMessageContaining("[bool, bytes, double, int, string, uint]");
    assertThatThrownBy(() -> ShardingSpec.celColumns("x", Map.of()))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("celColumns is empty");
  }

  @Test
  void hashWithCelFieldsIsRejected() {
    assertThatThrownBy(() -> ShardingSpec.of(ShardingStrategy.HASH, "key", null, null,
        "xxh3_64")).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("only valid with the CEL strategy");
    assertThatThrownBy(() -> ShardingSpec.of(ShardingStrategy.HASH, null,
        Map.of("k", "int"), null, "xxh3_64")).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("only valid with the CEL strategy");
    assertThatThrownBy(() -> ShardingSpec.of(ShardingStrategy.HASH, null, null, List.of(1L),
        "xxh3_64")).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("only valid with the CEL strategy");
  }

  @Test
  void unknownHashAlgorithmIsRejected() {
    assertThatThrownBy(() -> ShardingSpec.of(ShardingStrategy.HASH, null, null, null, "md5"))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("hash_algorithm 'md5'").hasMessageContaining("xxh3_64");
  }

  @Test
  void routingContextIsNeededOnlyForColumnsOtherThanKey() {
    assertThat(ShardingSpec.cel("key").needsRoutingContext()).isFalse();
    assertThat(ShardingSpec.celColumns("key", Map.of("key", "int")).needsRoutingContext())
        .isFalse();
    assertThat(ShardingSpec.celColumns("r", Map.of("r", "string")).needsRoutingContext())
        .isTrue();
  }

  @Test
  void strategyWireNames() {
    assertThat(ShardingStrategy.fromWireName("CEL")).isEqualTo(ShardingStrategy.CEL);
    assertThat(ShardingStrategy.HASH.wireName()).isEqualTo("hash");
    assertThatThrownBy(() -> ShardingStrategy.fromWireName("range"))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("'range'");
  }
}
