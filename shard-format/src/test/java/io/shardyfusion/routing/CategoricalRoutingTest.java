package io.shardyfusion.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.errors.UnknownRoutingValueException;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ShardingMeta;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Categorical CEL routing ({@code routing_values}): the token's position is the shard id. */
class CategoricalRoutingTest {
  private static final ShardingSpec REGIONS = ShardingSpec.celCategorical("region",
      Map.of("region", "string"), List.of("eu", "us", "apac"));

  @Test
  void aTokensPositionIsItsShard() {
    ShardRouter r = ShardRouters.create(REGIONS, 3, KeyEncoding.U64BE);
    assertThat(r.route(1L, Map.of("region", "eu"))).isZero();
    assertThat(r.route(1L, Map.of("region", "us"))).isEqualTo(1);
    assertThat(r.route(1L, Map.of("region", "apac"))).isEqualTo(2);
    assertThat(REGIONS.impliedNumDbs()).isEqualTo(3);
  }

  @Test
  void integerAndBytesTokensMatchByValue() {
    ShardRouter ints = ShardRouters.create(ShardingSpec.celCategorical("key % 3", null,
        List.of(2, 0, 1)), 3, KeyEncoding.U64BE);
    assertThat(ints.route(5L)).isZero(); // 5 % 3 == 2, the first token
    assertThat(ints.route(6L)).isEqualTo(1);
    ShardRouter uints = ShardRouters.create(ShardingSpec.celCategorical("uint(key) % 2u", null,
        List.of(1L, 0L)), 2, KeyEncoding.U64BE);
    assertThat(uints.route(4L)).isEqualTo(1);
    ShardRouter bytes = ShardRouters.create(ShardingSpec.celCategorical("bytes(key)", null,
        List.of("x".getBytes(StandardCharsets.UTF_8), "y".getBytes(StandardCharsets.UTF_8))),
        2, KeyEncoding.UTF8);
    assertThat(bytes.route("y")).isEqualTo(1);
  }

  @Test
  void anUnknownTokenIsItsOwnErrorSoReadersCanCallItAMiss() {
    ShardRouter r = ShardRouters.create(REGIONS, 3, KeyEncoding.U64BE);
    assertThatThrownBy(() -> r.route(9L, Map.of("region", "mars")))
        .isInstanceOf(UnknownRoutingValueException.class)
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("yielded token 'mars' for key 9, which is not among the 3 routing "
            + "values ['eu', 'us', 'apac']");
  }

  @Test
  void badRoutingValuesAreConfigurationErrors() {
    assertThatThrownBy(() -> ShardRouters.create(REGIONS, 4, KeyEncoding.U64BE))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("numDbs is 4 but 3 routing values make 3 shards");
    assertThatThrownBy(() -> ShardingSpec.celCategorical("region", Map.of("region", "string"),
        List.of("eu", "us", "eu"))).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("routing values 0 and 2 are the same token ('eu')");
    assertThatThrownBy(() -> ShardingSpec.celCategorical("key", null, List.of()))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("routingValues is empty");
    assertThatThrownBy(() -> ShardingSpec.celCategorical("key", null, List.of(1.5)))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("routing values must be integers, strings or byte[]");
    assertThatThrownBy(() -> ShardRouters.create(ShardingSpec.celCategorical("double(key)", null,
        List.of(1L)), 1, KeyEncoding.U64BE)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("a categorical token must be an int, uint, string or bytes");
  }

  @Test
  void routingValuesTravelInTheManifestAndOnlyWhenSet() throws Exception {
    ShardingSpec withBytes = ShardingSpec.celCategorical("bytes(key)", null,
        List.of(new byte[] {1}, new byte[] {2, 3}));
    assertThat(ShardingMeta.of(withBytes).toSpec()).isEqualTo(withBytes);
    assertThat(ShardingMeta.of(REGIONS).toSpec()).isEqualTo(REGIONS);
    JsonNode hash = ManifestCodec.mapper().valueToTree(ShardingMeta.of(ShardingSpec.hash()));
    assertThat(hash.has("routing_values")).as("manifests without categories unchanged")
        .isFalse();
    JsonNode regions = ManifestCodec.mapper().valueToTree(ShardingMeta.of(REGIONS));
    assertThat(regions.get("routing_values").toString()).isEqualTo("[\"eu\",\"us\",\"apac\"]");
  }
}
