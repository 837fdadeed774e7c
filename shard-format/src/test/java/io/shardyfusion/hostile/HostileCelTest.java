package io.shardyfusion.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.routing.ShardingSpec;
import org.junit.jupiter.api.Test;

/**
 * CEL routing expressions a hostile manifest may carry: evaluation is bounded (comprehension
 * iterations per evaluation), so an expression that loops or allocates a lot fails with a
 * non-retryable {@link RoutingException} instead of hanging a lookup or exhausting the heap; and
 * one too long or too deeply nested to parse fails to compile, never with a StackOverflowError.
 */
class HostileCelTest {
  private static final String TEN = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";

  private static ShardRouter router(String expr) {
    return ShardRouters.create(ShardingSpec.cel(expr), 4, KeyEncoding.U64BE);
  }

  /** {@code depth} nested maps over ten elements: 10^depth innermost evaluations. */
  private static String nestedMaps(int depth, String innermost) {
    String e = innermost;
    for (int i = depth; i > 0; i--) {
      e = TEN + ".map(v" + i + ", " + e + ")";
    }
    return e;
  }

  @Test
  void modestComprehensionsStillRoute() {
    // 10 + 100 iterations: what a real expression might do with a literal table
    ShardRouter r = router("size(" + nestedMaps(2, "key") + ") % 4");
    assertThat(r.route(7L)).isEqualTo(10 % 4);
  }

  @Test
  void explodingComprehensionFailsClearlyInsteadOfHanging() {
    // 10^7 innermost iterations (and as many list cells) without a bound: 28 s on this
    // machine before the bound, then the test hung the unit loop
    ShardRouter r = router("size(" + nestedMaps(7, "key") + ") % 4");
    assertThatThrownBy(() -> r.route(7L))
        .isInstanceOf(RoutingException.class)
        .satisfies(t -> assertThat(((ShardyfusionException) t).retryable()).isFalse())
        .hasMessageContaining("CEL expression")
        .hasMessageContaining("iterations");
  }

  @Test
  void allocationInComprehensionsIsBounded() {
    // 10^4 iterations each building a 20-fold concatenation of the key's text
    String e = "(string(key)" + " + string(key)".repeat(19) + ") == 'z'";
    for (int i = 0; i < 4; i++) {
      e = TEN + ".exists(x" + i + ", " + e + ")";
    }
    ShardRouter r = router("(" + e + ") ? 1 : 0");
    assertThatThrownBy(() -> r.route(123456789L)).isInstanceOf(RoutingException.class)
        .satisfies(t -> assertThat(((ShardyfusionException) t).retryable()).isFalse())
        .hasMessageContaining("iterations");
  }

  @Test
  void hugeExpressionIsRefusedAtCompile() {
    String huge = "key" + " + 0".repeat(3_000); // 12k characters
    assertThatThrownBy(() -> router(huge))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("does not compile");
  }

  @Test
  void deeplyNestedExpressionIsRefusedAtCompileWithoutStackOverflow() {
    String deep = "(".repeat(20_000) + "key" + ")".repeat(20_000);
    assertThatThrownBy(() -> router(deep))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("does not compile");
  }
}
