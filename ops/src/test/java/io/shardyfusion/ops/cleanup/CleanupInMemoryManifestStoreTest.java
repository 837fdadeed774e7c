package io.shardyfusion.ops.cleanup;

import static io.shardyfusion.ops.cleanup.Snapshots.assertComplete;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.store.InMemoryManifestStore;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ThreeRuns;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests in another store (as with PostgreSQL): the planner reads them only through it. */
class CleanupInMemoryManifestStoreTest {
  @TempDir Path tmp;

  private void writeRuns(InMemoryManifestStore manifests) {
    for (int i = 0; i < ThreeRuns.RUN_IDS.length; i++) {
      String runId = ThreeRuns.RUN_IDS[i];
      WriteConfig cfg = WriteConfig.builder().numDbs(4)
          .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
          .runId(runId).manifestStore(s -> manifests).build();
      SnapshotWriter.writeSharded(LongStream.range(0, ThreeRuns.ROWS[i]).boxed().toList(), cfg,
          k -> k, k -> (runId + ":" + k).getBytes(StandardCharsets.UTF_8),
          WriteOptions.defaults().withSortBufferBytes(1 << 20));
    }
  }

  @Test
  void manifestsComeOnlyFromTheManifestStore() {
    InMemoryManifestStore manifests = new InMemoryManifestStore();
    writeRuns(manifests);
    LocalObjectStore objects = new LocalObjectStore(tmp.resolve("store"));
    assertThat(objects.list(SnapshotLayout.MANIFESTS + "/")).isEmpty();

    Cleanup cleanup = new Cleanup(manifests, objects, Clock.systemUTC());
    CleanupPlan plan = cleanup.plan(RetentionPolicy.builder().keepLast(1).build());
    assertThat(plan.manifestsToDelete()).allMatch(r -> r.startsWith(InMemoryManifestStore.BASE))
        .hasSize(2);
    assertThat(plan.location()).startsWith(InMemoryManifestStore.BASE);
    CleanupReport report = cleanup.execute(plan, CleanupListener.NONE);

    assertThat(report.runsDeleted()).containsExactly("r1", "r2");
    assertThat(manifests.listManifests(10)).extracting(ManifestEntry::runId)
        .containsExactly("r3");
    assertThat(objects.list(SnapshotLayout.SHARDS + "/"))
        .allMatch(o -> o.key().startsWith(SnapshotLayout.runShardsPrefix("r3")));
    assertComplete(objects, manifests, manifests.loadCurrent().orElseThrow().manifestRef());
  }

  @Test
  void aCleanupThroughAnotherManifestStoreThanTheRunsPublishedToDeletesNoShardData() {
    // The runs publish to the object store; cleanup is pointed at another (empty) store, as
    // with a mistyped --current-url or halfway through a migration to PostgreSQL.
    ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    LocalObjectStore objects = new LocalObjectStore(tmp.resolve("store"));
    List<String> before = objects.list(SnapshotLayout.SHARDS + "/").stream()
        .map(ObjectInfo::key).toList();

    Cleanup cleanup = new Cleanup(new InMemoryManifestStore(), objects, Clock.systemUTC());
    CleanupPlan plan = cleanup.plan(RetentionPolicy.builder().keepLast(1).build());
    assertThat(plan.objectsToDelete()).isZero();
    assertThat(plan.runRecordsToDelete()).isEmpty();
    assertThat(plan.runs()).hasSize(3)
        .allMatch(r -> r.keptBecause().contains(KeepReason.OTHER_MANIFEST_STORE));
    cleanup.execute(plan, CleanupListener.NONE);
    assertThat(objects.list(SnapshotLayout.SHARDS + "/")).extracting(ObjectInfo::key)
        .containsExactlyElementsOf(before);
  }
}
