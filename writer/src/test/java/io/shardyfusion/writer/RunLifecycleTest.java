package io.shardyfusion.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.RunLifecycle.Retries;
import io.shardyfusion.writer.publish.ShardAttempt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The run lifecycle's steps and its one failure rule, on a real (local) object store. */
class RunLifecycleTest {
  @TempDir Path tmp;

  private WriteConfig config(String runId) {
    return WriteConfig.builder().numDbs(2).s3Prefix(tmp.resolve("store").toUri().toString())
        .tempDir(tmp.resolve("build")).runId(runId).build();
  }

  private LocalObjectStore store() {
    return new LocalObjectStore(tmp.resolve("store"));
  }

  private static Consumer<BiConsumer<byte[], byte[]>> records(long... keys) {
    return sink -> {
      for (long k : keys) {
        sink.accept(io.shardyfusion.routing.KeyEncoding.encodeU64(k),
            ("v" + k).getBytes(StandardCharsets.UTF_8));
      }
    };
  }

  private RunStatus status(LocalObjectStore store, String runId) {
    return new RunRecords(store, Clock.systemUTC()).load(runId).map(RunRecord::status)
        .orElse(null);
  }

  private int uploads(LocalObjectStore store, String runId) {
    return store.list(SnapshotLayout.runShardsPrefix(runId)).size();
  }

  /** Begins a run, uploads one attempt, and fails it with {@code cause}. */
  private RuntimeException failAfterAnUpload(RunLifecycle lifecycle, RuntimeException cause) {
    try (LocalObjectStore store = store();
        ManifestStore manifests = new ObjectStoreManifestStore(store)) {
      RunLifecycle.Run run = lifecycle.join(store, manifests, PreviousSnapshot.Reusable.NONE);
      assertThat(run.attempt(0, records(1, 2, 3), 1 << 20)).isNotNull();
      assertThat(uploads(store, lifecycle.runId())).isPositive();
      return run.fail(cause);
    }
  }

  @ParameterizedTest
  @EnumSource(Retries.class)
  void aFailureNoRetryCanFixEndsTheRunUploadsDeletedAndRecordFailed(Retries retries) {
    RunLifecycle lifecycle = RunLifecycle.create(config("r-" + retries), "test", retries);
    RuntimeException cause = new DuplicateKeyException(0, "2");
    assertThat(failAfterAnUpload(lifecycle, cause)).isSameAs(cause);
    assertThat(uploads(store(), lifecycle.runId())).isZero();
    assertThat(status(store(), lifecycle.runId())).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void underARunnerAFailureThatMayPassIsLeftToTheRetry() {
    RunLifecycle lifecycle = RunLifecycle.create(config("beam-r"), "test", Retries.BY_RUNNER);
    failAfterAnUpload(lifecycle, new StorageException("503 slow down", true));
    failAfterAnUpload(lifecycle, new IllegalStateException("worker lost"));
    assertThat(uploads(store(), "beam-r")).as("both attempts kept for the retry").isPositive();
    assertThat(status(store(), "beam-r")).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void withoutARetrierEveryFailureEndsTheRun() {
    RunLifecycle lifecycle = RunLifecycle.create(config("solo"), "test", Retries.NONE);
    failAfterAnUpload(lifecycle, new StorageException("503 slow down", true));
    assertThat(uploads(store(), "solo")).isZero();
    assertThat(status(store(), "solo")).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void aFailureReportedAfterThePointerNamesTheRunKeepsItsFiles() {
    RunLifecycle lifecycle = RunLifecycle.create(config("live"), "test", Retries.NONE);
    try (LocalObjectStore store = store();
        ManifestStore manifests = new ObjectStoreManifestStore(store)) {
      RunLifecycle.Run run = lifecycle.begin(store, manifests);
      ShardAttempt a = run.attempt(0, records(1, 2), 1 << 20);
      BuildResult result = run.publish(List.of(a), ShardCount.fixed(2), 0);
      assertThat(result.stats().rowsWritten()).isEqualTo(2);
      run.fail(new StorageException("connection dropped after commit", false));
      assertThat(uploads(store, "live")).isPositive();
      assertThat(status(store, "live")).isEqualTo(RunStatus.PUBLISHED);
    }
  }

  @Test
  void publishMakesTheBuildResultFromTheWinners() {
    RunLifecycle lifecycle = RunLifecycle.create(config("pub"), "test", Retries.BY_RUNNER);
    try (LocalObjectStore store = store();
        ManifestStore manifests = new ObjectStoreManifestStore(store)) {
      RunLifecycle.Run run = lifecycle.join(store, manifests, PreviousSnapshot.Reusable.NONE);
      ShardAttempt first = run.attempt(1, records(5, 7), 1 << 20);
      ShardAttempt retried = run.attempt(1, records(5, 7), 1 << 20);
      ShardAttempt other = run.attempt(0, records(4), 1 << 20);
      BuildResult r = run.publish(List.of(first, retried, other), ShardCount.fixed(2), 3);
      assertThat(r.runId()).isEqualTo("pub");
      assertThat(r.stats().numAttemptResults()).isEqualTo(3);
      assertThat(r.stats().numWinners()).isEqualTo(2);
      assertThat(r.stats().rowsWritten()).isEqualTo(3);
      assertThat(r.stats().bytesWritten()).isEqualTo(3 * 8 + "v5v7v4".length());
      assertThat(r.stats().shardingMs()).isEqualTo(3);
      assertThat(r.manifestRef()).isEqualTo(manifests.loadCurrent().orElseThrow().manifestRef());
      assertThat(status(store, "pub")).isEqualTo(RunStatus.PUBLISHED);
      assertThat(uploads(store, "pub")).as("the losing retry was deleted")
          .isEqualTo(first.files().size() + other.files().size());
    }
  }

  @Test
  void aTaskReusesTheBaseOnlyIfTheRecordNamesItAndThePointerStillDoes() {
    List<Long> keys = LongStream.range(0, 100).boxed().toList();
    SnapshotWriter.writeSharded(keys, config("base"), k -> k,
        k -> ("v" + k).getBytes(StandardCharsets.UTF_8));
    try (LocalObjectStore store = store();
        ManifestStore manifests = new ObjectStoreManifestStore(store)) {
      PreviousSnapshot.Reusable base = PreviousSnapshot.load(manifests, config("x"));
      assertThat(base.shards()).hasSize(2);

      RunLifecycle fresh = RunLifecycle.create(config("next"), "test", Retries.BY_RUNNER);
      assertThat(fresh.join(store, manifests, base).base()).hasSize(2);
      assertThat(new RunRecords(store, Clock.systemUTC()).load("next").orElseThrow().basedOn())
          .isEqualTo(base.manifestRef());

      // The pointer moves after this task loaded its base: reuse nothing.
      SnapshotWriter.writeSharded(keys, config("moved"), k -> k,
          k -> ("w" + k).getBytes(StandardCharsets.UTF_8));
      RunLifecycle late = RunLifecycle.create(config("late"), "test", Retries.BY_RUNNER);
      assertThat(late.join(store, manifests, base).base()).isEmpty();

      // A task whose loaded base is not the one the record names reuses nothing either.
      PreviousSnapshot.Reusable current = PreviousSnapshot.load(manifests, config("x"));
      assertThat(fresh.join(store, manifests, current).base()).isEmpty();
    }
  }
}
