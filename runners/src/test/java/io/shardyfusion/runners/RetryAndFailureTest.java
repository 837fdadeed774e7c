package io.shardyfusion.runners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.PipelineTempDir;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.runners.TestRunners.Kind;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.transforms.AttemptHooks;
import io.shardyfusion.transforms.ShardedWrite;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Retried tasks leave no trace in the published snapshot; failed jobs leave _CURRENT alone. */
@IntegrationTest
class RetryAndFailureTest {
  private static final int ROWS = 20_000;
  private static final int FAILING_DB = 3;

  /** Not {@code @TempDir}: after a job fails, its other tasks may still be writing here. */
  @RegisterExtension final PipelineTempDir tmp = new PipelineTempDir();

  /**
   * Throws once, for one shard, after its attempt was uploaded. The "once" lives in a marker
   * file (created atomically), because the runner deserialises a fresh copy of the hook for the
   * retry; the file also records which attempt failed.
   */
  static final class FailFirstAttemptOfOneShard implements AttemptHooks.AfterUpload {
    private static final long serialVersionUID = 1L;
    private final String marker;
    private final int dbId;

    FailFirstAttemptOfOneShard(Path marker, int dbId) {
      this.marker = marker.toString();
      this.dbId = dbId;
    }

    @Override
    public void afterUpload(ShardAttempt attempt) {
      if (attempt.dbId() != dbId) {
        return;
      }
      try {
        Files.writeString(Paths.get(marker), attempt.attempt(), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        return; // the retry: succeed
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      throw new IllegalStateException("injected failure after uploading " + attempt.dbUrl());
    }
  }

  enum RetryingRunner {
    /** local[N,maxFailures]: a failed task is retried up to 3 more times. */
    SPARK(Kind.SPARK, "--sparkMaster=local[2,4]"),
    /**
     * Beam 2.70's Flink runner ignores --numberOfExecutionRetries in batch mode (it only
     * applies it to the streaming environment), so the restart strategy comes from a Flink
     * configuration directory, as on a real cluster (see flinkConfDir below).
     */
    FLINK(Kind.FLINK);

    final Kind kind;
    final String[] args;

    RetryingRunner(Kind kind, String... args) {
      this.kind = kind;
      this.args = args;
    }
  }

  /** Each retrying runner with its runs as files (the embedded default) and through the shuffle. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> runnersAndPaths() {
    return java.util.stream.Stream.of(RetryingRunner.values()).flatMap(r -> java.util.stream.Stream
        .of(false, true).map(shuffle -> org.junit.jupiter.params.provider.Arguments.of(r, shuffle)));
  }

  private static <T> ShardedWrite<T> path(ShardedWrite<T> write, boolean runsThroughShuffle) {
    return runsThroughShuffle ? write.withRunsThroughShuffle() : write;
  }

  @ParameterizedTest(name = "{0} runsThroughShuffle={1}")
  @org.junit.jupiter.params.provider.MethodSource("runnersAndPaths")
  void aShardTaskThatFailsAfterUploadingIsRetriedAndItsAttemptDeleted(RetryingRunner runner,
      boolean runsThroughShuffle) throws Exception {
    WriteConfig config = WriteConfig.builder().numDbs(8)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
        .build();
    Path marker = tmp.resolve("failed-attempt");
    String[] args = runner.args;
    if (runner == RetryingRunner.FLINK) {
      args = new String[] {"--flinkConfDir=" + flinkConfDir(tmp.resolve("flink-conf"))};
    }
    Pipeline p = TestRunners.pipeline(runner.kind, args);
    p.apply(GenerateSequence.from(0).to(ROWS)).apply(path(AttemptHooks.withAttemptHook(
        ShardedWrite.<Long>to(config).withKeyFn(RunnerParityTest::u64Key)
            .withValueFn(RunnerParityTest::u64Value),
        new FailFirstAttemptOfOneShard(marker, FAILING_DB)), runsThroughShuffle));
    TestRunners.runToDone(p);

    assertThat(marker).as("the hook failed one attempt").exists();
    String failedAttempt = Files.readString(marker, StandardCharsets.UTF_8);
    Manifest m = TestRunners.currentManifest(config);
    assertThat(m.totalRows()).isEqualTo(ROWS);
    assertThat(m.shards()).extracting(ShardMeta::dbId).doesNotHaveDuplicates()
        .contains(FAILING_DB);
    assertThat(m.shard(FAILING_DB).orElseThrow().attempt()).isNotEqualTo(failedAttempt);

    Set<String> published = m.shards().stream()
        .map(s -> s.dbId() + "/" + s.attempt()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> stored = new TreeSet<>();
    try (ObjectStore store = TestRunners.store(config)) {
      for (ObjectInfo o : store.list(SnapshotLayout.SHARDS + "/")) {
        SnapshotLayout.AttemptKey a = SnapshotLayout.parseAttemptKey(o.key());
        assertThat(a).as("unexpected object %s", o.key()).isNotNull();
        stored.add(a.dbId() + "/" + a.attempt());
      }
    }
    assertThat(stored).as("attempt directories left in the store").isEqualTo(published)
        .doesNotContain(FAILING_DB + "/" + failedAttempt);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      for (long i = 0; i < ROWS; i++) {
        assertThat(reader.get(RunnerParityTest.u64Key(i))).isEqualTo(RunnerParityTest.u64Value(i));
      }
    }
  }

  /**
   * The key function of a routing bundle that fails once, at element {@code failAt}, after the
   * bundle has already emitted sorted runs (the sort buffer is 1 MiB, so it drained many
   * times before): the runner discards the failed attempt's runs and retries the bundle.
   */
  static final class FailOnceAtElement implements SerializableFunction<Long, Long> {
    private static final long serialVersionUID = 1L;
    private final String marker;
    private final long failAt;

    FailOnceAtElement(Path marker, long failAt) {
      this.marker = marker.toString();
      this.failAt = failAt;
    }

    @Override
    public Long apply(Long i) {
      if (i == failAt) {
        try {
          Files.createFile(Paths.get(marker));
        } catch (FileAlreadyExistsException e) {
          return RunnerParityTest.u64Key(i); // the retry: succeed
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("injected failure in a routing bundle at " + i);
      }
      return RunnerParityTest.u64Key(i);
    }
  }

  @ParameterizedTest(name = "{0} runsThroughShuffle={1}")
  @org.junit.jupiter.params.provider.MethodSource("runnersAndPaths")
  void aRoutingBundleRetriedAfterEmittingRunsCountsItsRowsOnce(RetryingRunner runner,
      boolean runsThroughShuffle) throws Exception {
    int rows = 60_000;
    WriteConfig config = WriteConfig.builder().numDbs(4)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
        .build();
    Path marker = tmp.resolve("failed-bundle");
    String[] args = runner.args;
    if (runner == RetryingRunner.FLINK) {
      args = new String[] {"--flinkConfDir=" + flinkConfDir(tmp.resolve("flink-conf"))};
    }
    Pipeline p = TestRunners.pipeline(runner.kind, args);
    p.apply(GenerateSequence.from(0).to(rows)).apply(path(ShardedWrite.<Long>to(config)
        .withKeyFn(new FailOnceAtElement(marker, rows - 10))
        .withValueFn(RunnerParityTest::u64Value).withSortBufferBytes(1 << 20),
        runsThroughShuffle));
    TestRunners.runToDone(p);

    assertThat(marker).as("the routing bundle failed once").exists();
    Manifest m = TestRunners.currentManifest(config);
    assertThat(m.totalRows()).as("no row twice, none lost").isEqualTo(rows);
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      for (long i = 0; i < rows; i += 13) {
        assertThat(reader.get(RunnerParityTest.u64Key(i))).isEqualTo(RunnerParityTest.u64Value(i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aDuplicateKeyFailsTheJobAndLeavesCurrentUntouched(Kind kind) throws Exception {
    WriteConfig config = WriteConfig.builder().numDbs(4)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
        .build();
    List<Long> previous = LongStream.range(0, 1000).boxed().toList();
    SnapshotWriter.writeSharded(previous, config, RunnerParityTest::u64Key,
        RunnerParityTest::u64Value);
    byte[] currentBefore;
    try (ObjectStore store = TestRunners.store(config)) {
      currentBefore = store.get(SnapshotLayout.CURRENT);
    }

    long duplicated = RunnerParityTest.u64Key(777L);
    Pipeline p = TestRunners.pipeline(kind);
    PCollection<Long> all = p.apply("All", GenerateSequence.from(0).to(5000));
    PCollection<Long> again = p.apply("Again", GenerateSequence.from(777).to(778));
    PCollectionList.of(all).and(again).apply(Flatten.pCollections())
        .apply(ShardedWrite.<Long>to(config).withKeyFn(RunnerParityTest::u64Key)
            .withValueFn(RunnerParityTest::u64Value));

    assertThatThrownBy(() -> p.run().waitUntilFinish())
        .satisfies(e -> assertThat(causeMessages(e)).contains("duplicate key " + duplicated));

    try (ObjectStore store = TestRunners.store(config)) {
      assertThat(store.get(SnapshotLayout.CURRENT)).isEqualTo(currentBefore);
    }
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(1000);
      assertThat(reader.get(RunnerParityTest.u64Key(5L))).isEqualTo(RunnerParityTest.u64Value(5L));
      assertThat(reader.get(RunnerParityTest.u64Key(4000L))).isNull();
    }
  }

  /**
   * One task builds all 8 shards (parallelism 1) and uploads each on its upload thread while
   * it writes the next; shard 3's upload fails (a file stands where its directory must go).
   * The failure from the upload thread fails the job with its cause, the shards written after
   * it are abandoned with their local files, and _CURRENT is never written.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"FLINK", "SPARK"})
  void anUploadFailingOnTheUploadThreadFailsTheJobAndLeavesNoLocalFiles(Kind kind)
      throws Exception {
    WriteConfig config = WriteConfig.builder().numDbs(8)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
        .build();
    ShardedWrite<Long> write = ShardedWrite.<Long>to(config)
        .withKeyFn(RunnerParityTest::u64Key).withValueFn(RunnerParityTest::u64Value);
    Path blocker = tmp.resolve("store").resolve(SnapshotLayout.runShardsPrefix(write.runId())
        + String.format("db=%05d", FAILING_DB));
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "not a directory");
    Pipeline p = TestRunners.pipeline(kind, kind == Kind.FLINK ? "--parallelism=1"
        : "--sparkMaster=local[1]");
    p.apply(GenerateSequence.from(0).to(ROWS)).apply(write);

    assertThatThrownBy(() -> p.run().waitUntilFinish())
        .satisfies(e -> assertThat(causeMessages(e)).contains(blocker.getFileName().toString()));

    try (ObjectStore store = TestRunners.store(config)) {
      assertThat(store.getIfExists(SnapshotLayout.CURRENT)).as("_CURRENT written").isEmpty();
    }
    try (java.util.stream.Stream<Path> left = Files.list(config.tempDir())) {
      assertThat(left.map(f -> f.getFileName().toString()))
          .as("shard build directories left under the temp dir")
          .noneMatch(name -> name.startsWith("attempt-"));
    }
  }

  /** A Flink configuration with one immediate restart: what a cluster's config would hold. */
  static Path flinkConfDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("flink-conf.yaml"), String.join("\n",
        "restart-strategy.type: fixed-delay",
        "restart-strategy.fixed-delay.attempts: 1",
        "restart-strategy.fixed-delay.delay: 0 s",
        ""));
    return dir;
  }

  private static String causeMessages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
    }
    return sb.toString();
  }
}
