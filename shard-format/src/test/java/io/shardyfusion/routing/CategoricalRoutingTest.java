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
    assertThat(ShardingMeta.of(REGIONS).toSpec()).isEqualTo(REGIONS);
    JsonNode hash = ManifestCodec.mapper().valueToTree(ShardingMeta.of(ShardingSpec.hash()));
    assertThat(hash.has("routing_values")).as("manifests without categories unchanged")
        .isFalse();
    JsonNode regions = ManifestCodec.mapper().valueToTree(ShardingMeta.of(REGIONS));
    assertThat(regions.get("routing_values").toString()).isEqualTo("[\"eu\",\"us\",\"apac\"]");
  }

  @Test
  void bytesTokensTravelAsThePythonModelDumpsThemAndStillRoute() throws Exception {
    // pydantic's JSON mode (the Python manifest's) writes bytes as the UTF-8 text they decode
    // to: b"\xc3\xa9u" is the JSON string "éu", read back by Python as a str.
    ShardingSpec withBytes = ShardingSpec.celCategorical("bytes(key)", null,
        List.of("éu".getBytes(StandardCharsets.UTF_8), "us".getBytes(StandardCharsets.UTF_8)));
    ShardingMeta meta = ShardingMeta.of(withBytes);
    assertThat(ManifestCodec.mapper().valueToTree(meta).get("routing_values").toString())
        .isEqualTo("[\"éu\",\"us\"]");
    ShardingSpec back = meta.toSpec();
    assertThat(back.routingValues()).containsExactly("éu", "us");
    // The expression yields bytes, so the string tokens are matched as their UTF-8 bytes.
    ShardRouter r = ShardRouters.create(back, 2, KeyEncoding.UTF8);
    assertThat(r.route("éu")).isZero();
    assertThat(r.route("us")).isEqualTo(1);
    assertThatThrownBy(() -> r.route("eu")).isInstanceOf(UnknownRoutingValueException.class);
  }

  @Test
  void bytesTokensThatAreNotUtf8CannotBeWrittenInThePythonForm() {
    ShardingSpec latin1 = ShardingSpec.celCategorical("bytes(key)", null,
        List.of(new byte[] {(byte) 0xe9}, new byte[] {'u'}));
    assertThatThrownBy(() -> ShardingMeta.of(latin1))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("routing value 0 (0xe9) is not valid UTF-8")
        .hasMessageContaining("pydantic");
  }

  @Test
  void theEarlierBase64FormOfBytesTokensIsStillRead() throws Exception {
    ShardingMeta old = ManifestCodec.mapper().readValue("{\"strategy\":\"cel\","
        + "\"cel_expr\":\"bytes(key)\",\"hash_algorithm\":\"xxh3_64\","
        + "\"routing_values\":[{\"base64\":\"AQ==\"},{\"base64\":\"AgM=\"}]}",
        ShardingMeta.class);
    assertThat(old.toSpec().routingValues()).containsExactly(new byte[] {1},
        new byte[] {2, 3});
  }
}
