package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShardCountTest {
  private static BitSet ids(int... ids) {
    BitSet b = new BitSet();
    for (int id : ids) {
      b.set(id);
    }
    return b;
  }

  @Test
  void aFixedCountIsKnownAndNeedsNoRows() {
    ShardCount c = ShardCount.fixed(8);
    assertThat(c.known()).hasValue(8);
    assertThat(c.needsRowCount()).isFalse();
    assertThat(c.resolve(() -> {
      throw new AssertionError("rows counted");
    })).isSameAs(c);
    assertThat(c.settle(ids(0, 3))).isEqualTo(8);
    assertThat(c.router(ShardingSpec.hash(), KeyEncoding.U64BE).numDbs()).isEqualTo(8);
    assertThatThrownBy(() -> ShardCount.fixed(0)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("numDbs").hasMessageContaining("got 0");
  }

  @Test
  void maxKeysPerShardResolvesToCeilOfRowsOverMaxKeysCountingRowsOnce() {
    ShardCount c = ShardCount.perMaxKeys(100);
    assertThat(c.known()).isEmpty();
    assertThat(c.needsRowCount()).isTrue();
    AtomicInteger calls = new AtomicInteger();
    assertThat(c.resolve(() -> {
      calls.incrementAndGet();
      return 1001;
    })).isEqualTo(ShardCount.fixed(11));
    assertThat(calls).hasValue(1);
    assertThat(c.resolve(() -> 0)).isEqualTo(ShardCount.fixed(1));
    assertThatThrownBy(() -> c.router(ShardingSpec.hash(), KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("resolve");
    assertThatThrownBy(() -> c.resolve(() -> 100L * ShardCount.MAX_NUM_DBS + 1))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("maxKeysPerShard=100").hasMessageContaining("raise maxKeysPerShard");
    assertThatThrownBy(() -> ShardCount.perMaxKeys(0))
        .hasMessageContaining("maxKeysPerShard must be > 0, got 0");
  }

  @Test
  void celBoundariesImplyTheCount() {
    ShardingSpec spec = ShardingSpec.cel("key", List.of(10L, 20L));
    ShardCount c = ShardCount.fromBoundaries(spec);
    assertThat(c.known()).hasValue(3);
    assertThat(c.router(spec, KeyEncoding.U64BE).route(15L)).isEqualTo(1);
  }

  @Test
  void aDiscoveredCountSettlesFromTheIdsAndRejectsGaps() {
    ShardingSpec spec = ShardingSpec.cel("key % 3");
    ShardCount c = ShardCount.discovered(spec.celExpr());
    assertThat(c.known()).isEmpty();
    assertThat(c.resolve(() -> {
      throw new AssertionError("rows counted");
    })).isSameAs(c);
    assertThat(c.router(spec, KeyEncoding.U64BE).numDbs()).isEqualTo(-1);
    assertThat(c.settle(ids(0, 1, 2))).isEqualTo(3);
    assertThatThrownBy(() -> c.settle(ids(0, 2))).isInstanceOf(RoutingException.class)
        .hasMessageContaining("gapped");
  }
}
