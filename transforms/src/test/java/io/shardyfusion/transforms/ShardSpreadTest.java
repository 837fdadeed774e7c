package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.writer.WriteConfig;
import org.junit.jupiter.api.Test;

class ShardSpreadTest {
  @Test
  void withoutASpreadKeysAreTheShardIds() {
    for (int s : new int[] {0, 1, 7, 255, WriteConfig.MAX_NUM_DBS - 1}) {
      assertThat(ShardSpread.NONE.keyOf(s)).isEqualTo(s);
      assertThat(ShardSpread.shardOf(s)).isEqualTo(s);
    }
  }

  @Test
  void withoutFlinkOnTheClassPathTheFlinkSpreadFallsBackToTheIds() {
    // The unit loop has no Flink; the runners module's tests check the spread itself.
    assertThat(ShardSpread.flink(2).keyOf(5)).isEqualTo(5);
  }

  @Test
  void aSaltedKeyNamesItsShard() {
    assertThat(ShardSpread.shardOf(5 + 3 * WriteConfig.MAX_NUM_DBS)).isEqualTo(5);
    assertThat(ShardSpread.shardOf(WriteConfig.MAX_NUM_DBS - 1 + 32_767 * WriteConfig.MAX_NUM_DBS))
        .isEqualTo(WriteConfig.MAX_NUM_DBS - 1);
  }
}
