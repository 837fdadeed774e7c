package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing values inferred from the data on the Direct runner: a first pass collects the
 * distinct CEL tokens as a side input; the snapshot reads back with the tokens in Python's order.
 */
@IntegrationTest
class ShardedWriteInferredRoutingTest {
  @TempDir Path tmp;

  private Path folder(String name) throws IOException {
    return Files.createDirectory(tmp.resolve(name));
  }

  /** Key k's region: five, one of them outside the BMP (Python orders it last). */
  static String region(long k) {
    return List.of("us", "\uD83D\uDE00", "eu", "\uFF2A", "apac").get((int) (k % 5));
  }

  @Test
  void theDistinctTokensBecomeTheShardsAndReadBack() throws Exception {
    Pipeline p = DirectPipelines.create();
    String prefix = folder("store").toUri().toString();
    WriteConfig config = WriteConfig.builder().s3Prefix(prefix).tempDir(folder("build"))
        .sharding(ShardingSpec.celColumns("region", Map.of("region", "string"))).build();
    List<Long> keys = LongStream.range(0, 500).boxed().toList();
    PCollection<BuildResult> result = p.apply(Create.of(keys))
        .apply(ShardedWrite.<Long>to(config).withInferredRoutingValues().withKeyFn(k -> k)
            .withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8))
            .withRoutingContextFn(k -> Map.of("region", region(k))));
    PAssert.thatSingleton(result).satisfies(r -> {
      assertThat(r.winners()).hasSize(5).allMatch(s -> s.rowCount() == 100);
      return null;
    });
    DirectPipelines.run(p);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(folder("reader")).build())) {
      assertThat(reader.manifest().numDbs()).isEqualTo(5);
      assertThat(reader.manifest().shardingSpec().routingValues())
          .containsExactly("apac", "eu", "us", "\uFF2A", "\uD83D\uDE00");
      for (long k : keys) {
        assertThat(reader.get(k, Map.of("region", region(k))))
            .asString(StandardCharsets.UTF_8).isEqualTo("v" + k);
      }
      assertThat(reader.get(7L, Map.of("region", "mars"))).isNull();
    }
  }

  @Test
  void tokensOfTwoTypesFailTheWriteAndPublishNothing() throws Exception {
    Pipeline p = DirectPipelines.create();
    Path store = folder("store2");
    WriteConfig config = WriteConfig.builder().s3Prefix(store.toUri().toString())
        .tempDir(folder("build2")).sharding(ShardingSpec.cel("key > 1 ? dyn(string(key)) "
            + ": dyn(key)")).inferRoutingValues(true).build();
    p.apply(Create.of(List.of(1L, 2L, 3L))).apply(ShardedWrite.<Long>to(config)
        .withKeyFn(k -> k).withValueFn(k -> new byte[] {1}));
    assertThatThrownBy(() -> DirectPipelines.run(p))
        .hasRootCauseInstanceOf(ConfigValidationException.class)
        .rootCause().hasMessageContaining("tokens of more than one type (int and string)");
    assertThat(store.resolve("_CURRENT")).doesNotExist();
  }
}
