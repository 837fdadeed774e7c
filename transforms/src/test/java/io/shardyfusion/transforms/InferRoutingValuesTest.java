package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.routing.RoutingValueInference;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.writer.WriteConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The combine behind the inferred routing values: distinct, bounded, order-independent. */
class InferRoutingValuesTest {
  private final InferRoutingValues.DistinctFn fn = new InferRoutingValues.DistinctFn();

  private TreeSet<String> of(long from, long to) {
    TreeSet<String> acc = fn.createAccumulator();
    for (long i = from; i < to; i++) {
      fn.addInput(acc, RoutingValueInference.encode(i));
    }
    return acc;
  }

  @Test
  void partialSetsMergeToTheDistinctTokensWhateverTheOrder() {
    List<String> a = fn.extractOutput(fn.mergeAccumulators(List.of(of(0, 6), of(4, 9))));
    List<String> b = fn.extractOutput(fn.mergeAccumulators(List.of(of(4, 9), of(0, 6))));
    assertThat(a).isEqualTo(b).hasSize(9);
    WriteConfig config = WriteConfig.builder().s3Prefix("file:///tmp/x")
        .sharding(ShardingSpec.celColumns("tier", Map.of("tier", "int")))
        .inferRoutingValues(true).build();
    WriteConfig resolved = InferRoutingValues.resolve(config, a);
    assertThat(resolved.inferRoutingValues()).isFalse();
    assertThat(resolved.sharding().routingValues())
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(resolved.shardCount().known()).hasValue(9);
  }

  @Test
  void oneTokenMoreThanTheLimitFailsInAddAndInMerge() {
    int max = RoutingValueInference.MAX_VALUES;
    TreeSet<String> full = of(0, max);
    assertThatThrownBy(() -> fn.addInput(full, RoutingValueInference.encode((long) max)))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("more than " + max + " distinct tokens");
    assertThatThrownBy(() -> fn.mergeAccumulators(List.of(of(0, max / 2 + 1),
        of(max / 2, max + 1)))).isInstanceOf(ConfigValidationException.class);
    // The same token again is no new shard.
    TreeSet<String> again = of(0, max);
    fn.addInput(again, RoutingValueInference.encode(0L));
    assertThat(again).hasSize(max);
  }
}
