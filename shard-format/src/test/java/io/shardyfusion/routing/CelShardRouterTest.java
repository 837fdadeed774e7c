package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.UnsignedLong;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CelShardRouterTest {

  private static ShardRouter cel(String expr, int numDbs, KeyEncoding enc) {
    return ShardRouters.create(ShardingSpec.cel(expr), numDbs, enc);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- key-only expressions: key typed from the key encoding

  @Test
  void intKeyYieldsIntShardId() {
    ShardRouter r = cel("key % 4", 4, KeyEncoding.U64BE);
    assertThat(r.numDbs()).isEqualTo(4);
    assertThat(r.route(10L)).isEqualTo(2);
    assertThat(r.route(7)).as("Integer keys are accepted as CEL int").isEqualTo(3);
    assertThat(r.route(10L, Map.of("ignored", 1))).isEqualTo(2);
  }

  @Test
  void u32KeyIsCelIntToo() {
    assertThat(cel("key / 1000", 5, KeyEncoding.U32BE).route(4_999L)).isEqualTo(4);
  }

  @Test
  void stringKey() {
    ShardRouter r = cel("size(key) % 3", 3, KeyEncoding.UTF8);
    assertThat(r.route("abcd")).isEqualTo(1);
    assertThat(r.route("日本")).as("size() counts code points").isEqualTo(2);
    ShardRouter prefix = cel("key.startsWith('eu-') ? 0 : 1", 2, KeyEncoding.UTF8);
    assertThat(prefix.route("eu-west")).isZero();
    assertThat(prefix.route("us-east")).isEqualTo(1);
  }

  @Test
  void bytesKey() {
    ShardRouter r = cel("size(key) % 5", 5, KeyEncoding.RAW);
    assertThat(r.route(new byte[] {1, 2, 3, 4, 5, 6, 7})).isEqualTo(2);
    assertThat(r.route(new byte[0])).isZero();
  }

  @Test
  void uintShardHashRoutesLikeHashStrategy() {
    for (KeyEncoding enc : new KeyEncoding[] {KeyEncoding.U64BE, KeyEncoding.UTF8,
        KeyEncoding.RAW}) {
      ShardRouter c = cel("shard_hash(key) % 8u", 8, enc);
      ShardRouter h = ShardRouters.create(ShardingSpec.hash(), 8, enc);
      for (int i = 0; i < 200; i++) {
        Object key = enc == KeyEncoding.U64BE ? (Object) (long) i
            : enc == KeyEncoding.UTF8 ? (Object) ("k" + i) : utf8("k" + i);
        assertThat(c.route(key)).as("%s %s", enc, key).isEqualTo(h.route(key));
      }
    }
  }

  @Test
  void wrongKeyTypeForEncodingNamesKeyAndType() {
    ShardRouter r = cel("key % 4", 4, KeyEncoding.U64BE);
    assertThatThrownBy(() -> r.route("12"))
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("'key'").hasMessageContaining("int")
        .hasMessageContaining("java.lang.String");
  }

  // ---- shard id range

  @Test
  void negativeShardIdIsRejectedNamingExpressionKeyAndValue() {
    ShardRouter r = cel("key - 100", 4, KeyEncoding.U64BE);
    assertThatThrownBy(() -> r.route(5L))
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("'key - 100'").hasMessageContaining("key 5")
        .hasMessageContaining("-95").hasMessageContaining("0..3");
  }

  @Test
  void celRemainderKeepsTheDividendsSign() {
    // CEL's % truncates like Java: -5 % 4 == -1, which is not a shard id.
    ShardRouter r = cel("(key - 10) % 4", 4, KeyEncoding.U64BE);
    assertThatThrownBy(() -> r.route(5L)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void shardIdAtOrAboveNumDbsIsRejected() {
    ShardRouter r = cel("key", 4, KeyEncoding.U64BE);
    assertThat(r.route(3L)).isEqualTo(3);
    assertThatThrownBy(() -> r.route(4L)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("shard id 4").hasMessageContaining("numDbs=4");
    ShardRouter u = cel("uint(key) + 18446744073709551000u", 4, KeyEncoding.U64BE);
    assertThatThrownBy(() -> u.route(1L)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("18446744073709551001");
  }

  // ---- boundaries: bisect_right

  @Test
  void longBoundariesBisectRight() {
    ShardRouter r = ShardRouters.create(ShardingSpec.cel("key", List.of(10L, 20L, 30L)), 4,
        KeyEncoding.U64BE);
    assertThat(r.route(0L)).isZero();
    assertThat(r.route(9L)).isZero();
    assertThat(r.route(10L)).as("a value equal to a boundary goes right").isEqualTo(1);
    assertThat(r.route(19L)).isEqualTo(1);
    assertThat(r.route(20L)).isEqualTo(2);
    assertThat(r.route(30L)).isEqualTo(3);
    assertThat(r.route(Long.MAX_VALUE)).isEqualTo(3);
  }

  @Test
  void uintResultAgainstLongBoundaries() {
    ShardRouter r = ShardRouters.create(
        ShardingSpec.cel("shard_hash(key)", List.of(Long.MAX_VALUE)), 2, KeyEncoding.U64BE);
    for (long k = 0; k < 100; k++) {
      long digest = ShardHash.digest(k);
      // unsigned digest < 2^63-1 goes left, anything at or above it goes right
      int expected = digest >= 0 && digest < Long.MAX_VALUE ? 0 : 1;
      assertThat(r.route(k)).as("key %d digest %s", k, Long.toUnsignedString(digest))
          .isEqualTo(expected);
    }
  }

  @Test
  void doubleBoundariesBisectRight() {
    ShardRouter r = ShardRouters.create(
        ShardingSpec.cel("double(key) / 2.0", List.of(1.5, 2.5)), 3, KeyEncoding.U64BE);
    assertThat(r.route(2L)).isZero(); // 1.0
    assertThat(r.route(3L)).isEqualTo(1); // 1.5: exactly a boundary
    assertThat(r.route(4L)).isEqualTo(1); // 2.0
    assertThat(r.route(5L)).isEqualTo(2); // 2.5
    ShardRouter ints = ShardRouters.create(ShardingSpec.cel("key", List.of(1.5, 2.5)), 3,
        KeyEncoding.U64BE);
    assertThat(ints.route(2L)).as("int result against double boundaries").isEqualTo(1);
  }

  @Test
  void stringBoundariesBisectRight() {
    ShardRouter r = ShardRouters.create(ShardingSpec.cel("key", List.of("g", "p")), 3,
        KeyEncoding.UTF8);
    assertThat(r.route("")).isZero();
    assertThat(r.route("fzzz")).isZero();
    assertThat(r.route("g")).isEqualTo(1);
    assertThat(r.route("ga")).isEqualTo(1);
    assertThat(r.route("p")).isEqualTo(2);
    assertThat(r.route("zebra")).isEqualTo(2);
    // Python compares code points: U+1F600 sorts after U+FFFF even though its UTF-16 does not.
    ShardRouter cp = ShardRouters.create(ShardingSpec.cel("key", List.of("\uFFFF")), 2,
        KeyEncoding.UTF8);
    assertThat(cp.route("😀")).isEqualTo(1);
  }

  @Test
  void bytesBoundariesCompareUnsigned() {
    ShardRouter r = ShardRouters.create(
        ShardingSpec.cel("key", List.of(new byte[] {0x10}, new byte[] {(byte) 0x80})), 3,
        KeyEncoding.RAW);
    assertThat(r.route(new byte[] {0x0f, (byte) 0xff})).isZero();
    assertThat(r.route(new byte[] {0x10})).isEqualTo(1);
    assertThat(r.route(new byte[] {0x7f})).isEqualTo(1);
    assertThat(r.route(new byte[] {(byte) 0x80})).isEqualTo(2);
    assertThat(r.route(new byte[] {(byte) 0xff})).isEqualTo(2);
  }

  @Test
  void resultOfAnotherKindThanBoundariesIsRejected() {
    ShardRouter r = ShardRouters.create(ShardingSpec.cel("string(key)", List.of(10L)), 2,
        KeyEncoding.U64BE);
    assertThatThrownBy(() -> r.route(1L)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("same kind");
  }

  @Test
  void numDbsMustMatchBoundaries() {
    ShardingSpec spec = ShardingSpec.cel("key", List.of(10L, 20L));
    assertThatThrownBy(() -> ShardRouters.create(spec, 4, KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("numDbs is 4").hasMessageContaining("2 boundaries make 3");
  }

  // ---- columns and routing contexts

  private static final ShardingSpec REGION_TIER = ShardingSpec.celColumns(
      "region == 'eu' ? 0 : (tier > 2 ? 1 : 2)", Map.of("region", "string", "tier", "int"));

  @Test
  void multiColumnRoutingReadsTheContext() {
    ShardRouter r = ShardRouters.create(REGION_TIER, 3, KeyEncoding.UTF8);
    assertThat(r.route("k", Map.of("region", "eu", "tier", 5L))).isZero();
    assertThat(r.route("k", Map.of("region", "us", "tier", 3))).isEqualTo(1);
    assertThat(r.route("k", Map.of("region", "us", "tier", (short) 1))).isEqualTo(2);
  }

  @Test
  void everyColumnTypeConverts() {
    ShardingSpec spec = ShardingSpec.celColumns(
        "(i == -1 && u == 18446744073709551615u && s == 'x' && b == b'\\x01\\xff' "
            + "&& d == 0.5 && f) ? 1 : 0",
        Map.of("i", "int", "u", "uint", "s", "string", "b", "bytes", "d", "double",
            "f", "bool"));
    ShardRouter r = ShardRouters.create(spec, 2, KeyEncoding.U64BE);
    Map<String, Object> ctx = new HashMap<>(Map.of("i", -1, "u",
        UnsignedLong.MAX_VALUE, "s", new StringBuilder("x"), "b", new byte[] {1, (byte) 0xff},
        "d", 0.5f, "f", true));
    assertThat(r.route(0L, ctx)).isEqualTo(1);
    ctx.put("u", new java.math.BigInteger("18446744073709551615"));
    assertThat(r.route(0L, ctx)).isEqualTo(1);
    ctx.put("f", false);
    assertThat(r.route(0L, ctx)).isZero();
  }

  @Test
  void routeWithoutContextSaysWhichColumnsAreNeeded() {
    ShardRouter r = ShardRouters.create(REGION_TIER, 3, KeyEncoding.UTF8);
    assertThatThrownBy(() -> r.route("k")).isInstanceOf(RoutingException.class)
        .hasMessageContaining("routing context").hasMessageContaining("region")
        .hasMessageContaining("tier");
    assertThatThrownBy(() -> r.route("k", null)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("routing context");
  }

  @Test
  void missingColumnIsNamed() {
    ShardRouter r = ShardRouters.create(REGION_TIER, 3, KeyEncoding.UTF8);
    assertThatThrownBy(() -> r.route("k1", Map.of("region", "us")))
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("column 'tier'").hasMessageContaining("'k1'");
    Map<String, Object> withNull = new HashMap<>(Map.of("region", "us"));
    withNull.put("tier", null);
    assertThatThrownBy(() -> r.route("k1", withNull)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("(null)").hasMessageContaining("column 'tier'");
  }

  @Test
  void mistypedColumnIsNamed() {
    ShardRouter r = ShardRouters.create(REGION_TIER, 3, KeyEncoding.UTF8);
    assertThatThrownBy(() -> r.route("k", Map.of("region", "us", "tier", "3")))
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("'tier' is declared int").hasMessageContaining("java.lang.String");
    ShardRouter u = ShardRouters.create(
        ShardingSpec.celColumns("n % 2u", Map.of("n", "uint")), 2, KeyEncoding.UTF8);
    assertThatThrownBy(() -> u.route("k", Map.of("n", -1L))).isInstanceOf(RoutingException.class)
        .hasMessageContaining("declared uint").hasMessageContaining("0..2^64-1");
  }

  @Test
  void keyOnlyColumnNeedsNoContext() {
    ShardRouter r = ShardRouters.create(
        ShardingSpec.celColumns("key % 3", Map.of("key", "int")), 3, KeyEncoding.U64BE);
    assertThat(r.route(5L)).isEqualTo(2);
    assertThat(r.route(5L, Map.of())).isEqualTo(2);
  }

  @Test
  void keyColumnComesFromTheKeyArgumentWhenTheContextLacksIt() {
    ShardRouter r = ShardRouters.create(ShardingSpec.celColumns("key % 2 + offset",
        Map.of("key", "int", "offset", "int")), 4, KeyEncoding.U64BE);
    assertThat(r.route(3L, Map.of("offset", 2L))).isEqualTo(3);
    assertThat(r.route(3L, Map.of("offset", 2L, "key", 4L))).isEqualTo(2);
  }

  // ---- compile-time and evaluation errors

  @Test
  void compileErrorQuotesExpressionAndCelMessage() {
    assertThatThrownBy(() -> cel("key +", 2, KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("'key +'").hasMessageContaining("does not compile")
        .hasMessageContaining("ERROR");
    assertThatThrownBy(() -> cel("region == 'x' ? 0 : 1", 2, KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("undeclared reference to 'region'");
    assertThatThrownBy(() -> cel("key + 'a'", 2, KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("key: int");
  }

  @Test
  void resultTypeIsCheckedAtCompileTime() {
    assertThatThrownBy(() -> cel("key > 3", 2, KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("yields bool").hasMessageContaining("int or uint");
    assertThatThrownBy(() -> cel("string(key)", 2, KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("yields string");
    assertThatThrownBy(() -> ShardRouters.create(ShardingSpec.cel("key > 3", List.of(1L)), 2,
        KeyEncoding.U64BE)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("yields bool");
  }

  @Test
  void dynamicResultOfTheWrongTypeFailsAtEvaluation() {
    ShardRouter r = cel("dyn(key > 3)", 2, KeyEncoding.U64BE);
    assertThatThrownBy(() -> r.route(5L)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("yielded true").hasMessageContaining("int or uint");
  }

  @Test
  void evaluationErrorIsARoutingException() {
    ShardRouter r = cel("1 / (key - key)", 2, KeyEncoding.U64BE);
    assertThatThrownBy(() -> r.route(5L)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("'1 / (key - key)' failed for key 5")
        .hasMessageContaining("by zero");
  }

  // ---- discovery of numDbs

  @Test
  void discoveryYieldsMaxPlusOne() {
    ShardingSpec spec = ShardingSpec.cel("key % 3");
    ShardRouter r = ShardRouters.createDiscovering(spec, KeyEncoding.U64BE);
    assertThat(r.numDbs()).isEqualTo(-1);
    BitSet used = new BitSet();
    for (long k = 0; k < 10; k++) {
      used.set(r.route(k));
    }
    assertThat(ShardRouters.checkDiscoveredIds(used, spec.celExpr())).isEqualTo(3);
    assertThat(cel("key * 1000", 1, KeyEncoding.U64BE).numDbs()).isEqualTo(1);
    assertThat(ShardRouters.createDiscovering(spec, KeyEncoding.U64BE).route(5_000_000L))
        .as("no upper bound while discovering").isEqualTo(2);
  }

  @Test
  void discoveryRejectsNegativeIds() {
    ShardRouter r = ShardRouters.createDiscovering(ShardingSpec.cel("key - 10"),
        KeyEncoding.U64BE);
    assertThat(r.route(15L)).isEqualTo(5);
    assertThatThrownBy(() -> r.route(3L)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("-7").hasMessageContaining("must not be negative");
  }

  @Test
  void discoveryDetectsGaps() {
    BitSet used = new BitSet();
    used.set(0);
    used.set(2);
    used.set(5);
    assertThatThrownBy(() -> ShardRouters.checkDiscoveredIds(used, "key % 7"))
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("gapped shard ids").hasMessageContaining("'key % 7'")
        .hasMessageContaining("missing ids [1, 3, 4]")
        .hasMessageContaining("must be consecutive from 0");
    BitSet many = new BitSet();
    many.set(100);
    assertThatThrownBy(() -> ShardRouters.checkDiscoveredIds(many, "key"))
        .hasMessageContaining("and 80 more");
    assertThatThrownBy(() -> ShardRouters.checkDiscoveredIds(new BitSet(), "key"))
        .isInstanceOf(RoutingException.class).hasMessageContaining("no shard ids");
  }

  @Test
  void discoveryWithBoundariesOrHash() {
    ShardRouter r = ShardRouters.createDiscovering(ShardingSpec.cel("key", List.of(5L)),
        KeyEncoding.U64BE);
    assertThat(r.numDbs()).as("boundaries imply numDbs").isEqualTo(2);
    assertThatThrownBy(() -> ShardRouters.createDiscovering(ShardingSpec.hash(),
        KeyEncoding.U64BE)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("CEL strategy");
  }

  // ---- sharing across threads

  @Test
  void oneRouterServesManyThreads() throws Exception {
    ShardRouter r = ShardRouters.create(REGION_TIER, 3, KeyEncoding.UTF8);
    ShardRouter h = cel("shard_hash(key) % 7u", 7, KeyEncoding.UTF8);
    int n = 20_000;
    int[] expected = new int[n];
    for (int i = 0; i < n; i++) {
      expected[i] = h.route("k" + i) * 10 + r.route("k", ctx(i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          int mismatches = 0;
          for (int i = 0; i < n; i++) {
            int got = h.route("k" + i) * 10 + r.route("k", ctx(i));
            mismatches += got == expected[i] ? 0 : 1;
          }
          return mismatches;
        }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Map<String, Object> ctx(int i) {
    return Map.of("region", i % 5 == 0 ? "eu" : "us", "tier", (long) (i % 4));
  }
}
