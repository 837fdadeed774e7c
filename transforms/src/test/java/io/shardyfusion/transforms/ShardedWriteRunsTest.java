package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.ratelimit.TokenBucket;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.PipelineTempDir;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sorted runs on the Direct runner, both ways they travel (run files, the Direct default; and
 * blocks through the shuffle, as on Flink and Spark): snapshots read back, duplicates across
 * bundles fail, run files are cleaned up, windowed input makes one snapshot, and the write
 * limits reach every shard task divided by their number.
 */
@IntegrationTest
class ShardedWriteRunsTest {
  private final Pipeline p = DirectPipelines.create();
  @RegisterExtension final PipelineTempDir tmp = new PipelineTempDir();

  private WriteConfig config(String name, int numDbs) throws Exception {
    return WriteConfig.builder().numDbs(numDbs)
        .s3Prefix(Files.createDirectory(tmp.resolve(name)).toUri().toString())
        .tempDir(Files.createDirectory(tmp.resolve(name + "-tmp"))).build();
  }

  private static ShardedWrite<Long> write(WriteConfig config, boolean throughShuffle) {
    ShardedWrite<Long> w = ShardedWrite.<Long>to(config).withKeyFn(k -> k)
        .withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8))
        .withSortBufferBytes(1 << 20); // 1 MiB: 30k rows make several runs per bundle
    return throughShuffle ? w.withRunsThroughShuffle() : w;
  }

  /** Two Creates flattened: at least two bundles, so runs of different bundles meet. */
  private PCollection<Long> twoBundles(List<Long> a, List<Long> b) {
    return PCollectionList.of(p.apply("A", Create.of(a))).and(p.apply("B", Create.of(b)))
        .apply(Flatten.pCollections());
  }

  @ParameterizedTest(name = "through shuffle: {0}")
  @ValueSource(booleans = {false, true})
  void runsOfManyBundlesMakeASnapshotThatReadsBack(boolean throughShuffle) throws Exception {
    WriteConfig config = config("rb", 4);
    List<Long> a = LongStream.range(0, 15_000).boxed().toList();
    List<Long> b = LongStream.range(15_000, 30_000).boxed().toList();
    PCollection<BuildResult> result = twoBundles(a, b).apply(write(config, throughShuffle));
    PAssert.thatSingleton(result).satisfies(r -> {
      assertThat(r.stats().rowsWritten()).isEqualTo(30_000);
      assertThat(r.winners()).hasSize(4);
      return null;
    });
    DirectPipelines.run(p);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      for (long k = 0; k < 30_000; k += 7) {
        assertThat(reader.get(k)).asString(StandardCharsets.UTF_8).isEqualTo("v" + k);
      }
    }
    try (Stream<Path> left = Files.list(config.tempDir())) {
      assertThat(left.map(Path::getFileName).map(Path::toString))
          .as("run files and build directories are gone after publish")
          .noneMatch(n -> n.startsWith("shardy-runs-") || n.startsWith("attempt-"));
    }
  }

  @ParameterizedTest(name = "through shuffle: {0}")
  @ValueSource(booleans = {false, true})
  void aKeyInTwoBundlesIsATrueDuplicate(boolean throughShuffle) throws Exception {
    WriteConfig config = config("dup", 2);
    List<Long> a = LongStream.range(0, 1_000).boxed().toList();
    assertThatThrownBy(() -> {
      twoBundles(a, List.of(5_000L, 777L)).apply(write(config, throughShuffle));
      DirectPipelines.run(p);
    }).isInstanceOf(PipelineExecutionException.class)
        .hasCauseInstanceOf(DuplicateKeyException.class)
        .hasMessageContaining("duplicate key 777");
    assertThat(Path.of(java.net.URI.create(config.s3Prefix())).resolve(SnapshotLayout.CURRENT))
        .doesNotExist();
  }

  @Test
  void aWindowedInputMakesOneSnapshotOfEveryElement() throws Exception {
    WriteConfig config = config("win", 3);
    PCollection<BuildResult> result = p
        .apply(Create.of(LongStream.range(0, 3_000).boxed().toList()))
        .apply(WithTimestamps.of(k -> new Instant(k * 60_000)))
        .apply(Window.into(FixedWindows.of(Duration.standardMinutes(10))))
        .apply(write(config, false));
    PAssert.thatSingleton(result).satisfies(r -> {
      assertThat(r.stats().rowsWritten()).isEqualTo(3_000);
      return null;
    });
    DirectPipelines.run(p);
  }

  /** The buckets every shard task made, with their clocks (shared through a static). */
  private static final Queue<Object[]> BUCKETS = new ConcurrentLinkedQueue<>();

  private static TokenBucket recordedBucket(double rate) {
    ShardWriteLimitTest.ManualClock clock = new ShardWriteLimitTest.ManualClock();
    BUCKETS.add(new Object[] {rate, clock});
    return new TokenBucket(rate, clock, clock);
  }

  @Test
  void theRowLimitIsSplitOverTheShardTasksAndPacesEveryRow() throws Exception {
    BUCKETS.clear();
    WriteConfig config = config("limit", 3);
    p.apply(Create.of(LongStream.range(0, 3_000).boxed().toList()))
        .apply(write(config, false).withMaxWritesPerSecond(900)
            .withLimitBuckets(ShardedWriteRunsTest::recordedBucket));
    DirectPipelines.run(p);

    assertThat(BUCKETS).as("one bucket per shard task").hasSize(3);
    double rows = 0;
    for (Object[] b : BUCKETS) {
      assertThat((double) b[0]).as("900 rows/s over 3 shard tasks").isEqualTo(300.0);
      long nanos = ((ShardWriteLimitTest.ManualClock) b[1]).nanos;
      rows += (double) b[0] * nanos / TimeUnit.SECONDS.toNanos(1);
    }
    assertThat(rows).as("limiter time x rate = every row written").isCloseTo(3_000,
        org.assertj.core.data.Offset.offset(3.0));
  }

  @Test
  void negativeLimitsAreRefusedWithTheValue() throws Exception {
    ShardedWrite<Long> w = write(config("neg", 1), false);
    assertThatThrownBy(() -> w.withMaxWritesPerSecond(-5))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessage("withMaxWritesPerSecond must be >= 0 (0 = unlimited), got -5");
    assertThatThrownBy(() -> w.withMaxWriteBytesPerSecond(-1))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("got -1");
    assertThatThrownBy(() -> w.withSharedRunDirectory(" "))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("' '");
  }
}
