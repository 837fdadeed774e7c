package io.shardyfusion.ops.rollback;

import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.manifest.store.ThreeRuns;
import io.shardyfusion.manifest.store.InMemoryManifestStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.ops.rollback.Rollback.Selector;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackTest {
  @TempDir Path tmp;

  private ObjectStoreManifestStore store() {
    return new ObjectStoreManifestStore(new LocalObjectStore(tmp.resolve("store")));
  }

  private byte[] currentBytes() {
    return new LocalObjectStore(tmp.resolve("store")).get(SnapshotLayout.CURRENT);
  }

  private String currentRun() {
    return store().loadCurrent().orElseThrow().runId();
  }

  @Test
  void eachSelectorMovesCurrent() {
    List<BuildResult> runs = ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    ObjectStoreManifestStore store = store();

    CurrentPointer p = Rollback.rollbackTo(store, Selector.offset(1));
    assertThat(p.runId()).isEqualTo("r2");
    assertThat(p.manifestRef()).isEqualTo(runs.get(1).manifestRef());
    assertThat(currentRun()).isEqualTo("r2");

    // Offsets count from the current manifest, not from the newest one.
    assertThat(Rollback.rollbackTo(store, Selector.offset(1)).runId()).isEqualTo("r1");
    assertThat(Rollback.rollbackTo(store, Selector.offset(0)).runId()).isEqualTo("r1");

    p = Rollback.rollbackTo(store, Selector.runId("r3"));
    assertThat(p.manifestRef()).isEqualTo(runs.get(2).manifestRef());
    assertThat(currentRun()).isEqualTo("r3");

    p = Rollback.rollbackTo(store, Selector.ref(runs.get(0).manifestRef()));
    assertThat(p.runId()).isEqualTo("r1");
    assertThat(store.loadCurrent()).contains(p);

    assertThatThrownBy(() -> Rollback.rollbackTo(store, Selector.offset(1)))
        .as("from r1 (the oldest) there is nothing older")
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("largest valid offset is 0");
  }

  @Test
  void runIdSelectsTheNewestManifestOfThatRun() {
    InMemoryManifestStore mem = new InMemoryManifestStore();
    List<BuildResult> runs = ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    ObjectStoreManifestStore files = store();
    for (BuildResult r : runs) {
      mem.publish(files.loadManifest(r.manifestRef()));
    }
    String r2Ref = mem.listManifests(3).get(1).ref();
    Rollback.rollbackTo(mem, Selector.offset(2));
    assertThat(mem.loadCurrent().orElseThrow().runId()).isEqualTo("r1");
    CurrentPointer p = Rollback.rollbackTo(mem, Selector.runId("r2"));
    assertThat(p.manifestRef()).isEqualTo(r2Ref);
  }

  @Test
  void badSelectorsFailClearlyAndChangeNothing() {
    List<BuildResult> runs = ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    ObjectStoreManifestStore store = store();
    Rollback.rollbackTo(store, Selector.offset(1)); // current = r2, index 1 of 3
    byte[] before = currentBytes();

    assertThatThrownBy(() -> Rollback.rollbackTo(store, Selector.runId("r9")))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("'r9'").hasMessageContaining("[r3, r2, r1]");
    String unknown = runs.get(0).manifestRef().replace("run_id=r1", "run_id=r9");
    assertThatThrownBy(() -> Rollback.rollbackTo(store, Selector.ref(unknown)))
        .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining(unknown);
    assertThatThrownBy(() -> Rollback.rollbackTo(store, Selector.offset(2)))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("3 manifests exist")
        .hasMessageContaining("largest valid offset is 1");
    assertThatThrownBy(() -> Selector.offset(-1))
        .isInstanceOf(ConfigValidationException.class);
    assertThatThrownBy(() -> Selector.runId(""))
        .isInstanceOf(ConfigValidationException.class);
    assertThatThrownBy(() -> Selector.ref(null))
        .isInstanceOf(ConfigValidationException.class);

    assertThat(currentBytes()).isEqualTo(before);
    assertThat(currentRun()).isEqualTo("r2");
  }

  @Test
  void offsetOnAnEmptyStoreSaysThereIsNoHistory() {
    InMemoryManifestStore mem = new InMemoryManifestStore();
    assertThatThrownBy(() -> Rollback.rollbackTo(mem, Selector.offset(0)))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("no manifests exist");
    assertThat(mem.loadCurrent()).isEmpty();
  }
}
