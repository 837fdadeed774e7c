package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.RoutingException;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RecordRouterTest {
  private final RecordRouter keys = new RecordRouter(
      ShardRouters.create(ShardingSpec.hash(), 4, KeyEncoding.U64BE), KeyEncoding.U64BE);

  @Test
  void routesAndEncodesLikeTheRouterAndTheEncoding() {
    ShardRouter router = ShardRouters.create(ShardingSpec.hash(), 4, KeyEncoding.U64BE);
    for (long k = 0; k < 100; k++) {
      RecordRouter.Routed r = keys.route((int) k, null);
      assertThat(r.key()).isEqualTo(k);
      assertThat(r.dbId()).isEqualTo(router.route(k)).isEqualTo(keys.shardOf(k, null));
      assertThat(r.keyBytes()).isEqualTo(KeyEncoding.encodeU64(k));
    }
  }

  @Test
  void aRoutingContextIsPassedToMultiColumnCel() {
    ShardingSpec spec = ShardingSpec.celColumns("region == 'eu' ? 1 : 0",
        Map.of("region", "string"));
    RecordRouter cel = new RecordRouter(ShardRouters.create(spec, 2, KeyEncoding.U64BE),
        KeyEncoding.U64BE);
    assertThat(cel.shardOf(5L, Map.of("region", "eu"))).isEqualTo(1);
    assertThat(cel.shardOf(5L, Map.of("region", "us"))).isEqualTo(0);
  }

  @Test
  void badRecordsAreNamedInTheError() {
    Function<Object, byte[]> value = k -> new byte[] {1};
    RecordRouter.Record ok = keys.prepare(7L, k -> k, null, value, () -> "record #0");
    assertThat(ok.key()).isEqualTo(KeyEncoding.encodeU64(7));
    assertThat(ok.value()).containsExactly(1);

    assertThatThrownBy(() -> keys.prepare(null, k -> k, null, value, () -> "record #2"))
        .isInstanceOf(KeyValidationException.class).hasMessageStartingWith("record #2: ")
        .hasMessageContaining("null");
    assertThatThrownBy(() -> keys.prepare("x", k -> k, null, value, () -> "element x"))
        .isInstanceOf(KeyValidationException.class).hasMessageStartingWith("element x: ")
        .hasMessageContaining("u64be");
    assertThatThrownBy(() -> keys.prepare(3L, k -> k, null, k -> null, () -> "record #5"))
        .isInstanceOf(KeyValidationException.class)
        .hasMessageStartingWith("record #5 (key 3): the value function returned null");
    RecordRouter cel = new RecordRouter(ShardRouters.create(ShardingSpec.cel("key"), 2,
        KeyEncoding.U64BE), KeyEncoding.U64BE);
    assertThatThrownBy(() -> cel.prepare(9L, k -> k, null, value, () -> "record #1"))
        .isInstanceOf(RoutingException.class).hasMessageStartingWith("record #1: ");
  }
}
