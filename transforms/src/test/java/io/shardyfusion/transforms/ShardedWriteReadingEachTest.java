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
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ShardedWrite#readingEach} on the Direct runner: each source (here a block number) is
 * read inside the routing step, and the passes that also read the input (the row count for
 * maxKeysPerShard, the inferred routing values) read the sources too.
 */
@IntegrationTest
class ShardedWriteReadingEachTest {
  private static final int BLOCKS = 12;
  private static final int PER_BLOCK = 250;

  @TempDir Path tmp;

  /** Block b holds keys b*PER_BLOCK .. (b+1)*PER_BLOCK-1. */
  static final SourceReader<Integer, Long> BLOCK = (b, out) -> {
    for (long k = (long) b * PER_BLOCK; k < (long) (b + 1) * PER_BLOCK; k++) {
      out.accept(k);
    }
  };

  private Path folder(String name) throws IOException {
    return Files.createDirectory(tmp.resolve(name));
  }

  private static Create.Values<Integer> blocks() {
    return Create.of(java.util.stream.IntStream.range(0, BLOCKS).boxed().toList());
  }

  @Test
  void everyElementOfEverySourceIsWrittenOnceAndTheRowCountSizesTheShards() throws Exception {
    String prefix = folder("store").toUri().toString();
    WriteConfig config = WriteConfig.builder().s3Prefix(prefix).tempDir(folder("build"))
        .maxKeysPerShard(1_000).build();
    Pipeline p = DirectPipelines.create();
    PCollection<BuildResult> result = p.apply(blocks()).apply(ShardedWrite.<Long>to(config)
        .withKeyFn(k -> k).withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8))
        .readingEach(BLOCK));
    PAssert.thatSingleton(result).satisfies(r -> {
      assertThat(r.stats().rowsWritten()).isEqualTo(BLOCKS * PER_BLOCK);
      return null;
    });
    DirectPipelines.run(p);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(folder("reader")).build())) {
      // 3,000 rows at most 1,000 per shard: the count pass read the sources.
      assertThat(reader.manifest().numDbs()).isEqualTo(3);
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(BLOCKS * PER_BLOCK);
      for (long k = 0; k < BLOCKS * PER_BLOCK; k++) {
        assertThat(reader.get(k)).asString(StandardCharsets.UTF_8).isEqualTo("v" + k);
      }
    }
  }

  @Test
  void routingValuesAreInferredFromTheSources() throws Exception {
    String prefix = folder("store").toUri().toString();
    WriteConfig config = WriteConfig.builder().s3Prefix(prefix).tempDir(folder("build"))
        .sharding(ShardingSpec.celColumns("region", Map.of("region", "string"))).build();
    Pipeline p = DirectPipelines.create();
    p.apply(blocks()).apply(ShardedWrite.<Long>to(config).withInferredRoutingValues()
        .withKeyFn(k -> k).withValueFn(k -> new byte[] {1})
        .withRoutingContextFn(k -> Map.of("region", ShardedWriteInferredRoutingTest.region(k)))
        .readingEach(BLOCK));
    DirectPipelines.run(p);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(folder("reader")).build())) {
      assertThat(reader.manifest().shardingSpec().routingValues())
          .containsExactly("apac", "eu", "us", "\uFF2A", "\uD83D\uDE00");
      assertThat(reader.manifest().shards()).allMatch(s -> s.rowCount() == 600);
    }
  }

  @Test
  void aFailingReaderNamesItsSourceAndANullReaderIsRefused() throws Exception {
    WriteConfig config = WriteConfig.builder().numDbs(2)
        .s3Prefix(folder("store").toUri().toString()).tempDir(folder("build")).build();
    ShardedWrite<Long> write = ShardedWrite.<Long>to(config).withKeyFn(k -> k)
        .withValueFn(k -> new byte[] {1});
    assertThatThrownBy(() -> write.readingEach(null))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("SourceReader");

    Pipeline p = DirectPipelines.create();
    p.apply(Create.of("missing-file")).apply(write.<String>readingEach((name, out) -> {
      throw new IOException("no such file: " + name);
    }));
    assertThatThrownBy(() -> DirectPipelines.run(p)).hasStackTraceContaining(
        "cannot read missing-file: java.io.IOException: no such file: missing-file");
  }
}
