package io.shardyfusion.ops.cleanup;

import static io.shardyfusion.ops.cleanup.Snapshots.listing;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.manifest.store.ThreeRuns;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cleanup over the run registry both systems share: Python's run.yaml, several records of one
 * JVM run, legacy _RUN and unreadable records, on a file:// prefix.
 */
class CleanupRunRegistryTest {
  @TempDir Path tmp;

  private LocalObjectStore store() {
    return new LocalObjectStore(tmp.resolve("store"));
  }

  private Cleanup cleanup(Clock clock) {
    return new Cleanup(new ObjectStoreManifestStore(store()), store(), clock);
  }

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  private static RetentionPolicy keepLast(int n) {
    return RetentionPolicy.builder().keepLast(n).build();
  }

  private Set<String> keysOf(String runId) {
    return listing(store()).keySet().stream()
        .filter(k -> runId.equals(SnapshotLayout.runIdOfShardKey(k))
            || runId.equals(SnapshotLayout.parseRunRecordKey(k)))
        .collect(Collectors.toSet());
  }

  /** A run.yaml as Python's {@code yaml.safe_dump(sort_keys=True)} writes it. */
  private static String pythonRecord(String runId, String status, Instant started,
      Instant leaseExpires, String s3Prefix) {
    return "db_path_template: db={db_id:05d}\n"
        + "error_message: null\n"
        + "error_type: null\n"
        + "format_version: 1\n"
        + "lease_expires_at: '" + SnapshotLayout.runRecordTime(leaseExpires) + "'\n"
        + "manifest_ref: null\n"
        + "run_id: " + runId + "\n"
        + "s3_prefix: " + s3Prefix + "\n"
        + "shard_prefix: shards\n"
        + "started_at: '" + SnapshotLayout.runRecordTime(started) + "'\n"
        + "status: " + status + "\n"
        + "updated_at: '" + SnapshotLayout.runRecordTime(started) + "'\n"
        + "writer_type: python\n";
  }

  private void uploadShard(String runId) {
    store().put("shards/run_id=" + runId + "/db=00000/attempt=00/shard.db",
        new byte[] {1, 2, 3}, "application/octet-stream");
  }

  @Test
  void aPythonRunWithALiveLeaseIsKeptAndDeletedWithItsRecordOnceTheLeaseExpired() {
    ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    String key = SnapshotLayout.runRecordKey(now, "py1", "9c8fcb6892394160ac8eb61f2a726252");
    store().put(key, pythonRecord("py1", "running", now, now.plus(Duration.ofMinutes(10)),
        store().baseUrl()).getBytes(StandardCharsets.UTF_8), "application/x-yaml");
    uploadShard("py1");
    Set<String> pyKeys = keysOf("py1");
    assertThat(pyKeys).hasSize(2);

    Clock live = at(now.plus(Duration.ofMinutes(5)));
    CleanupPlan plan = cleanup(live).plan(keepLast(1));
    assertThat(plan.runs()).filteredOn(r -> r.runId().equals("py1")).singleElement()
        .satisfies(r -> {
          assertThat(r.keptBecause()).containsExactly(KeepReason.LIVE_LEASE);
          assertThat(r.deleteObjects()).isEmpty();
        });
    assertThat(plan.runRecordsToDelete()).doesNotContain("py1");
    cleanup(live).execute(plan, CleanupListener.NONE);
    assertThat(keysOf("py1")).isEqualTo(pyKeys);

    Clock expired = at(now.plus(Duration.ofMinutes(11)));
    CleanupPlan dead = cleanup(expired).plan(keepLast(1));
    assertThat(dead.runs()).filteredOn(r -> r.runId().equals("py1")).singleElement()
        .satisfies(r -> assertThat(r.deletesEverything()).isTrue());
    assertThat(dead.runRecordsToDelete()).contains("py1");
    cleanup(expired).execute(dead, CleanupListener.NONE);
    assertThat(keysOf("py1")).isEmpty();
  }

  @Test
  void everyLiveRecordOfARunProtectsItsBase() {
    List<BuildResult> runs = ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    Instant now = Instant.now();
    // Two tasks of run r4 raced and created one record each, naming different bases.
    new RunRecords(store(), at(now)).start("r4", Duration.ofHours(1), "beam",
        runs.get(0).manifestRef());
    new RunRecords(store(), at(now)).start("r4", Duration.ofHours(1), "beam",
        runs.get(1).manifestRef());
    uploadShard("r4");

    CleanupPlan plan = cleanup(at(now.plusSeconds(60))).plan(keepLast(1));
    assertThat(plan.manifestsToDelete()).isEmpty();
    assertThat(plan.manifests()).filteredOn(m -> !m.ref().equals(runs.get(2).manifestRef()))
        .hasSize(2).allSatisfy(m -> assertThat(m.keptBecause())
            .containsExactly(KeepReason.BASE_OF_LIVE_RUN));

    Clock expired = at(now.plus(Duration.ofHours(2)));
    CleanupPlan dead = cleanup(expired).plan(keepLast(1));
    assertThat(dead.manifestsToDelete()).hasSize(2);
    cleanup(expired).execute(dead, CleanupListener.NONE);
    assertThat(keysOf("r4")).isEmpty();
  }

  @Test
  void aLegacyRunRecordIsStillHonoured() {
    ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    Instant now = Instant.parse("2026-11-24T12:00:00Z");
    store().put(SnapshotLayout.legacyRunRecordKey("old"), ("{\"run_id\": \"old\", \"status\": "
        + "\"RUNNING\", \"started_at\": \"2026-11-24T11:00:00Z\", \"updated_at\": "
        + "\"2026-11-24T11:00:00Z\", \"lease_expires_at\": \"2026-11-24T13:00:00Z\", "
        + "\"format_version\": 1}").getBytes(StandardCharsets.UTF_8), "application/json");
    uploadShard("old");
    Set<String> oldKeys = keysOf("old");

    cleanup(at(now)).execute(cleanup(at(now)).plan(keepLast(1)), CleanupListener.NONE);
    assertThat(keysOf("old")).isEqualTo(oldKeys);

    Clock expired = at(now.plus(Duration.ofHours(2)));
    cleanup(expired).execute(cleanup(expired).plan(keepLast(1)), CleanupListener.NONE);
    assertThat(keysOf("old")).isEmpty();
  }

  @Test
  void anUnreadableRunYamlKeepsItsRunForever() {
    ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    Instant now = Instant.now();
    String key = SnapshotLayout.runRecordKey(now, "py2", "0afee8ec23c14535ae6be51e8ea65d02");
    store().put(key, "run_id: py2\nstatus: running\nlease_expires_at: [half-written"
        .getBytes(StandardCharsets.UTF_8), "application/x-yaml");
    uploadShard("py2");
    Set<String> keys = keysOf("py2");

    Clock later = at(now.plus(Duration.ofDays(365)));
    CleanupPlan plan = cleanup(later).plan(keepLast(1));
    assertThat(plan.runs()).filteredOn(r -> r.runId().equals("py2")).singleElement()
        .satisfies(r -> assertThat(r.keptBecause()).contains(KeepReason.LIVE_LEASE));
    cleanup(later).execute(plan, CleanupListener.NONE);
    assertThat(keysOf("py2")).isEqualTo(keys);
  }
}
