package io.shardyfusion.ops.cleanup;

import static io.shardyfusion.ops.cleanup.Snapshots.assertComplete;
import static io.shardyfusion.ops.cleanup.Snapshots.listing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.manifest.store.ThreeRuns;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention cleanup on a file:// prefix written by the real writer. */
class CleanupTest {
  @TempDir Path tmp;

  private LocalObjectStore store() {
    return new LocalObjectStore(tmp.resolve("store"));
  }

  private ObjectStoreManifestStore manifests() {
    return new ObjectStoreManifestStore(store());
  }

  private List<BuildResult> threeRuns() {
    return ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
  }

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  private Cleanup cleanup(Clock clock) {
    return new Cleanup(manifests(), store(), clock);
  }

  private static RetentionPolicy keepLast(int n) {
    return RetentionPolicy.builder().keepLast(n).build();
  }

  private WriteConfig.Builder config() {
    return WriteConfig.builder().numDbs(4).s3Prefix(tmp.resolve("store").toUri().toString())
        .tempDir(tmp.resolve("build"));
  }

  private Set<String> runsWithData() {
    Set<String> runs = new HashSet<>();
    for (String k : listing(store()).keySet()) {
      String run = SnapshotLayout.runIdOfShardKey(k);
      if (run != null) {
        runs.add(run);
      }
    }
    return runs;
  }

  @Test
  void keepLastOneDeletesOlderRunsAndLeavesTheCurrentSnapshotWhole() {
    List<BuildResult> runs = threeRuns();

    CleanupReport report = cleanup(Clock.systemUTC()).execute(
        cleanup(Clock.systemUTC()).plan(keepLast(1)), CleanupListener.NONE);

    assertThat(manifests().listManifests(10)).extracting(ManifestEntry::runId)
        .containsExactly("r3");
    assertThat(runsWithData()).containsExactly("r3");
    assertThat(new RunRecords(store(), Clock.systemUTC()).list()).containsOnlyKeys("r3");
    assertComplete(store(), manifests(), runs.get(2).manifestRef());
    assertThat(manifests().loadCurrent().orElseThrow().manifestRef())
        .isEqualTo(runs.get(2).manifestRef());
    assertThat(report.manifestsDeleted()).isEqualTo(2);
    assertThat(report.runsDeleted()).containsExactly("r1", "r2");
    assertThat(report.runRecordsDeleted()).isEqualTo(2);
    assertThat(report.objectsDeleted()).isPositive();
    assertThat(report.runsKept()).containsOnlyKeys("r3");
    assertThat(report.runsKept().get("r3")).contains(KeepReason.REFERENCED_BY_KEPT_MANIFEST,
        KeepReason.HAS_KEPT_MANIFEST);
  }

  @Test
  void anEarlierRunsShardDirReusedByAKeptManifestIsKept() {
    // Run b changes only key 0's value, so of its 4 shards 3 are reused from run a.
    List<Long> keys = LongStream.range(0, 40).boxed().toList();
    WriteConfig a = config().runId("a").build();
    SnapshotWriter.writeSharded(keys, a, k -> k, k -> ("v" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults());
    BuildResult b = SnapshotWriter.writeSharded(keys, config().runId("b").build(), k -> k,
        k -> ((k == 0 ? "changed" : "v") + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults());
    assertThat(b.winners()).filteredOn(s -> s.dbUrl().contains("run_id=a/")).hasSize(3);
    assertThat(new RunRecords(store(), Clock.systemUTC()).load("b").orElseThrow().basedOn())
        .as("run b may reuse the shards of a's manifest")
        .isEqualTo(manifests().listManifests(2).get(1).ref());

    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(keepLast(1));
    cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE);

    assertThat(manifests().listManifests(10)).extracting(ManifestEntry::runId)
        .containsExactly("b");
    assertComplete(store(), manifests(), b.manifestRef());
    RunDecision runA = plan.runs().stream().filter(r -> r.runId().equals("a")).findFirst()
        .orElseThrow();
    assertThat(runA.keptBecause()).containsExactly(KeepReason.REFERENCED_BY_KEPT_MANIFEST);
    assertThat(runA.deleteObjects()).as("a's copy of the changed shard is garbage").isNotEmpty();
    assertThat(runA.deleteRecord()).isFalse();
    assertThat(runsWithData()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void afterARollbackToR1KeepLastOneKeepsR1AsCurrentAndR3AsNewest() {
    List<BuildResult> runs = threeRuns();
    Rollback.rollbackTo(manifests(), Rollback.Selector.runId("r1"));

    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(keepLast(1));
    cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE);

    assertThat(plan.manifestsToDelete()).containsExactly(runs.get(1).manifestRef());
    assertThat(plan.manifests().get(2).keptBecause()).containsExactly(KeepReason.CURRENT);
    assertThat(manifests().listManifests(10)).extracting(ManifestEntry::runId)
        .containsExactly("r3", "r1");
    assertThat(runsWithData()).containsExactlyInAnyOrder("r1", "r3");
    assertComplete(store(), manifests(), runs.get(0).manifestRef());
    assertComplete(store(), manifests(), runs.get(2).manifestRef());
  }

  @Test
  void aProtectedRefIsKeptAndAnUnknownOneIsRefused() {
    List<BuildResult> runs = threeRuns();
    RetentionPolicy policy = RetentionPolicy.builder().keepLast(1)
        .protectRef(runs.get(1).manifestRef()).build();

    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(policy);
    cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE);

    assertThat(plan.manifests().get(1).keptBecause()).containsExactly(KeepReason.PROTECTED);
    assertThat(manifests().listManifests(10)).extracting(ManifestEntry::runId)
        .containsExactly("r3", "r2");
    assertComplete(store(), manifests(), runs.get(1).manifestRef());

    String typo = runs.get(1).manifestRef() + "x";
    assertThatThrownBy(() -> cleanup(Clock.systemUTC())
        .plan(RetentionPolicy.builder().keepLast(1).protectRef(typo).build()))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining(typo).hasMessageContaining("not in history");
  }

  @Test
  void olderThanUsesTheInjectedClockAndCombinesWithKeepLast() {
    List<BuildResult> runs = threeRuns();
    List<ManifestEntry> history = manifests().listManifests(10);
    Instant r2Created = history.get(1).createdAt();
    Instant r3Created = history.get(0).createdAt();
    Duration week = Duration.ofDays(7);

    // A week after r2 was published, only r1 is older than a week.
    assertThat(cleanup(at(r2Created.plus(week)))
        .plan(RetentionPolicy.builder().olderThan(week).build()).manifestsToDelete())
        .containsExactly(runs.get(0).manifestRef());
    // keep-last 1 alone would delete r2 too, but r2 is not old enough: both rules must agree.
    assertThat(cleanup(at(r2Created.plus(week)))
        .plan(RetentionPolicy.builder().keepLast(1).olderThan(week).build())
        .manifestsToDelete())
        .containsExactly(runs.get(0).manifestRef());
    // A month later both r1 and r2 are old; r3 is the newest (and current).
    RetentionPolicy both = RetentionPolicy.builder().keepLast(1).olderThan(week).build();
    CleanupPlan late = cleanup(at(r3Created.plus(Duration.ofDays(30)))).plan(both);
    assertThat(late.manifestsToDelete())
        .containsExactly(runs.get(1).manifestRef(), runs.get(0).manifestRef());
    // keep-last 3 keeps all three however old they are.
    assertThat(cleanup(at(r3Created.plus(Duration.ofDays(30))))
        .plan(RetentionPolicy.builder().keepLast(3).olderThan(week).build()).isEmpty())
        .isTrue();
  }

  @Test
  void aPolicyNeedsKeepLastOrOlderThan() {
    assertThatThrownBy(() -> RetentionPolicy.builder().build())
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("keepLast")
        .hasMessageContaining("olderThan");
    assertThatThrownBy(() -> RetentionPolicy.builder().keepLast(0))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("keepLast must be");
  }

  @Test
  void aDryRunChangesNothingAndListsExactlyWhatTheRealRunDeletes() throws Exception {
    List<BuildResult> runs = threeRuns();
    Map<String, Long> before = listing(store());

    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(keepLast(1));
    assertThat(listing(store())).isEqualTo(before);
    assertThat(plan.render()).contains("delete " + runs.get(0).manifestRef())
        .contains("keep   " + runs.get(2).manifestRef()).contains("r1 [PUBLISHED]: delete all")
        .contains("total: delete 2 manifests, " + plan.objectsToDelete() + " objects");

    String json = ManifestCodec.mapper().writeValueAsString(plan);
    assertThat(ManifestCodec.mapper().readTree(json).get("manifests")).hasSize(3);
    assertThat(json).contains("\"keptBecause\" : [ \"CURRENT\", \"WITHIN_KEEP_LAST\" ]")
        .contains(plan.objectKeysToDelete().get(0));

    Set<String> planned = new HashSet<>(plan.objectKeysToDelete());
    plan.manifestsToDelete().forEach(ref -> planned.add(store().keyOf(ref)));
    RunRecords records = new RunRecords(store(), Clock.systemUTC());
    plan.runRecordsToDelete().forEach(run -> records.loadAll(run).forEach(
        r -> planned.add(r.key())));
    cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE);
    Set<String> gone = new HashSet<>(before.keySet());
    gone.removeAll(listing(store()).keySet());
    assertThat(gone).isEqualTo(planned);
    assertThat(listing(store()).keySet()).doesNotContainAnyElementsOf(planned);
  }

  @Test
  void aRunWithALiveLeaseIsKeptWithItsBaseAndDeletedOnceTheLeaseExpired() {
    List<BuildResult> runs = threeRuns();
    Instant now = Instant.now();
    // r4 is in progress: record RUNNING, one shard uploaded, no manifest yet; it reuses r2's.
    new RunRecords(store(), at(now)).start("r4", Duration.ofHours(1), "test",
        runs.get(1).manifestRef());
    Snapshots.uploadAttempt(store(), config().build(), "r4");

    CleanupPlan live = cleanup(at(now.plusSeconds(60))).plan(keepLast(1));
    assertThat(live.manifestsToDelete()).containsExactly(runs.get(0).manifestRef());
    assertThat(live.manifests().get(1).keptBecause())
        .containsExactly(KeepReason.BASE_OF_LIVE_RUN);
    cleanup(at(now.plusSeconds(60))).execute(live, CleanupListener.NONE);
    assertThat(runsWithData()).containsExactlyInAnyOrder("r2", "r3", "r4");
    assertThat(new RunRecords(store(), Clock.systemUTC()).list()).containsKey("r4");

    Clock expired = at(now.plus(Duration.ofHours(2)));
    CleanupPlan dead = cleanup(expired).plan(keepLast(1));
    assertThat(dead.runs()).filteredOn(r -> r.runId().equals("r4")).singleElement()
        .satisfies(r -> assertThat(r.deletesEverything()).isTrue());
    cleanup(expired).execute(dead, CleanupListener.NONE);
    assertThat(runsWithData()).containsExactly("r3");
    assertThat(new RunRecords(store(), Clock.systemUTC()).list()).containsOnlyKeys("r3");
  }

  @Test
  void anOrphanRunWithoutARecordIsKeptWithinTheGraceAndDeletedAfter() {
    threeRuns();
    Snapshots.uploadAttempt(store(), config().build(), "orphan");
    Instant now = Instant.now();

    CleanupPlan young = cleanup(at(now)).plan(keepLast(1));
    assertThat(young.runs()).filteredOn(r -> r.runId().equals("orphan")).singleElement()
        .satisfies(r -> assertThat(r.keptBecause())
            .containsExactly(KeepReason.NO_RECORD_WITHIN_GRACE));
    cleanup(at(now)).execute(young, CleanupListener.NONE);
    assertThat(runsWithData()).contains("orphan");

    // The default grace is the default lease; a custom one applies too.
    Clock later = at(now.plus(Duration.ofMinutes(61)));
    assertThat(cleanup(later).plan(RetentionPolicy.builder().keepLast(1)
        .orphanGrace(Duration.ofHours(2)).build()).objectsToDelete()).isZero();
    cleanup(later).execute(cleanup(later).plan(keepLast(1)), CleanupListener.NONE);
    assertThat(runsWithData()).containsExactly("r3");
  }

  @Test
  void losingAttemptDirsOfAKeptRunAreDeleted() {
    List<BuildResult> runs = threeRuns();
    // A speculative duplicate of r3's shard 0 that lost (uploaded after the publish).
    String loser = Snapshots.uploadAttempt(store(), config().build(), "r3").dbUrl();

    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(keepLast(3));
    assertThat(plan.manifestsToDelete()).isEmpty();
    assertThat(plan.objectKeysToDelete()).isNotEmpty()
        .allMatch(k -> k.startsWith(store().keyOf(loser) + "/"));
    cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE);

    assertThat(listing(store()).keySet()).noneMatch(k -> k.startsWith(store().keyOf(loser)));
    for (BuildResult r : runs) {
      assertComplete(store(), manifests(), r.manifestRef());
    }
  }

  @Test
  void aMalformedManifestInHistoryFailsPlanningAndNothingIsDeleted() {
    threeRuns();
    String bad = SnapshotLayout.manifestKey(Instant.parse("2020-01-01T00:00:00Z"), "bad");
    store().put(bad, "{\"required\": 42}".getBytes(StandardCharsets.UTF_8), "application/json");
    Map<String, Long> before = listing(store());

    assertThatThrownBy(() -> cleanup(Clock.systemUTC()).plan(keepLast(1)))
        .isInstanceOf(ManifestParseException.class)
        .hasMessageContaining(store().url(bad))
        .hasMessageContaining("deletes nothing");
    assertThat(listing(store())).isEqualTo(before);
  }

  @Test
  void aCurrentPointerMovedAfterPlanningAbortsTheCleanupBeforeAnyDelete() {
    List<BuildResult> runs = threeRuns();
    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(keepLast(1));
    Rollback.rollbackTo(manifests(), Rollback.Selector.runId("r1"));
    Map<String, Long> before = listing(store());

    assertThatThrownBy(() -> cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining(runs.get(0).manifestRef())
        .hasMessageContaining("nothing was deleted");
    assertThat(listing(store())).isEqualTo(before);

    // Moving to a manifest the plan keeps anyway is fine.
    Rollback.rollbackTo(manifests(), Rollback.Selector.runId("r3"));
    CleanupPlan plan2 = cleanup(Clock.systemUTC()).plan(
        RetentionPolicy.builder().keepLast(2).build());
    Rollback.rollbackTo(manifests(), Rollback.Selector.runId("r2"));
    assertThat(cleanup(Clock.systemUTC()).execute(plan2, CleanupListener.NONE)
        .manifestsDeleted()).isEqualTo(1);
  }

  @Test
  void anInterruptedCleanupConvergesWhenRunAgain() {
    List<BuildResult> runs = threeRuns();
    Cleanup cleanup = cleanup(Clock.systemUTC());
    CleanupPlan plan = cleanup.plan(keepLast(1));
    long[] calls = {0};
    assertThatThrownBy(() -> cleanup.execute(plan, (done, total, bytes, totalBytes) -> {
      calls[0]++;
      throw new IllegalStateException("killed after " + done + "/" + total);
    })).isInstanceOf(IllegalStateException.class);
    assertThat(calls[0]).isEqualTo(1);
    assertThat(runsWithData()).as("interrupted after r1's objects")
        .containsExactlyInAnyOrder("r2", "r3");

    CleanupPlan again = cleanup.plan(keepLast(1));
    assertThat(again.manifestsToDelete()).isEmpty();
    long[] last = {0, 0};
    cleanup.execute(again, (done, total, bytes, totalBytes) -> {
      last[0] = done;
      last[1] = total;
    });
    assertThat(last[0]).isEqualTo(last[1]).isPositive();
    assertThat(runsWithData()).containsExactly("r3");
    assertThat(new RunRecords(store(), Clock.systemUTC()).list()).containsOnlyKeys("r3");
    assertComplete(store(), manifests(), runs.get(2).manifestRef());
    assertThat(cleanup.plan(keepLast(1)).isEmpty()).isTrue();
  }

  @Test
  void runRecordsSayWhatTheWriterDid() {
    threeRuns();
    RunRecords records = new RunRecords(store(), Clock.systemUTC());
    assertThat(records.list()).containsOnlyKeys("r1", "r2", "r3");
    assertThat(records.list().values()).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(RunStatus.PUBLISHED);
      assertThat(r.writer().engine()).isEqualTo("in-process");
      assertThat(r.writer().pid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(r.leaseLive(Instant.now())).isFalse();
    });
    assertThat(records.load("r2").orElseThrow().basedOn())
        .isEqualTo(manifests().listManifests(3).get(2).ref());
  }

  @Test
  void aRunThatStartsAgainUnderItsIdBetweenPlanAndExecuteKeepsItsObjects() {
    threeRuns();
    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(keepLast(1));
    assertThat(plan.objectKeysToDelete()).anyMatch(k -> k.contains("run_id=r1/"));

    // A re-run with the fixed run id r1 takes a fresh lease before it uploads.
    new RunRecords(store(), Clock.systemUTC()).start("r1", Duration.ofHours(1), "test", null);
    cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE);

    assertThat(runsWithData()).contains("r1", "r3").doesNotContain("r2");
    assertThat(new RunRecords(store(), Clock.systemUTC()).list()).containsKey("r1");
  }

  @Test
  void aRunThatStartsOnADoomedBaseAfterPlanningAbortsTheCleanup() {
    List<BuildResult> runs = threeRuns();
    CleanupPlan plan = cleanup(Clock.systemUTC()).plan(keepLast(1));
    String r2 = runs.get(1).manifestRef();
    assertThat(plan.manifestsToDelete()).contains(r2);
    Map<String, Long> before = listing(store());

    // A writer that read r2 as current just before a rollback-and-plan now holds a lease.
    new RunRecords(store(), Clock.systemUTC()).start("r4", Duration.ofHours(1), "test", r2);
    assertThatThrownBy(() -> cleanup(Clock.systemUTC()).execute(plan, CleanupListener.NONE))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("run r4").hasMessageContaining(r2);
    Map<String, Long> after = listing(store());
    after.keySet().removeIf(k -> "r4".equals(SnapshotLayout.parseRunRecordKey(k)));
    assertThat(after).isEqualTo(before);
  }
}

