package io.shardyfusion.cleanup;

import static io.shardyfusion.cleanup.Snapshots.assertComplete;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.store.InMemoryManifestStore;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.manifest.store.ThreeRuns;
import io.shardyfusion.publish.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests in another store (as with PostgreSQL): the planner reads them only through it. */
class CleanupInMemoryManifestStoreTest {
  @TempDir Path tmp;

  @Test
  void manifestsComeOnlyFromTheManifestStore() {
    ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    LocalObjectStore objects = new LocalObjectStore(tmp.resolve("store"));
    ObjectStoreManifestStore written = new ObjectStoreManifestStore(objects);
    InMemoryManifestStore manifests = new InMemoryManifestStore();
    List<ManifestEntry> history = written.listManifests(10);
    for (int i = history.size() - 1; i >= 0; i--) {
      manifests.publish(written.loadManifest(history.get(i).ref()));
    }
    // Nothing of the object store's own manifests is left to read by mistake.
    objects.deleteAll(objects.list(SnapshotLayout.MANIFESTS + "/").stream()
        .map(o -> o.key()).toList());
    objects.delete(SnapshotLayout.CURRENT);

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
}
