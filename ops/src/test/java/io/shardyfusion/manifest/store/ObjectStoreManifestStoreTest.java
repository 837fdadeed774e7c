package io.shardyfusion.manifest.store;

import io.shardyfusion.ops.rollback.Rollback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoreManifestStoreTest {
  @TempDir Path tmp;

  private Path storeDir() {
    return tmp.resolve("store");
  }

  private ObjectStoreManifestStore store() {
    return new ObjectStoreManifestStore(new LocalObjectStore(storeDir()));
  }

  private byte[] currentBytes() {
    return new LocalObjectStore(storeDir()).get(SnapshotLayout.CURRENT);
  }

  @Test
  void emptyStoreHasNoCurrentAndNoHistory() {
    ObjectStoreManifestStore store = store();
    assertThat(store.loadCurrent()).isEmpty();
    assertThat(store.listManifests(10)).isEmpty();
  }

  @Test
  void historyListsEveryPublishedRunNewestFirstWithTheirFigures() {
    List<BuildResult> runs = ThreeRuns.write(storeDir(), tmp.resolve("build"));
    List<ManifestEntry> history = store().listManifests(10);

    assertThat(history).extracting(ManifestEntry::runId).containsExactly("r3", "r2", "r1");
    assertThat(history).extracting(ManifestEntry::totalRows).containsExactly(30L, 20L, 10L);
    assertThat(history).extracting(ManifestEntry::ref).containsExactly(
        runs.get(2).manifestRef(), runs.get(1).manifestRef(), runs.get(0).manifestRef());
    assertThat(history).allSatisfy(e -> {
      assertThat(e.numDbs()).isEqualTo(4);
      assertThat(e.shardCount()).isBetween(1, 4);
      assertThat(e.ref()).startsWith(storeDir().toUri().toString().replaceAll("/$", "")
          + "/manifests/").endsWith("_run_id=" + e.runId() + "/manifest");
    });
    assertThat(history.get(0).createdAt()).isAfter(history.get(1).createdAt());
    assertThat(history.get(1).createdAt()).isAfter(history.get(2).createdAt());

    assertThat(store().listManifests(2)).extracting(ManifestEntry::runId)
        .containsExactly("r3", "r2");
    assertThat(store().listManifests(0)).isEmpty();
    assertThatThrownBy(() -> store().listManifests(-1))
        .isInstanceOf(ConfigValidationException.class);
  }

  @Test
  void currentPointsAtTheLastPublishAndSetCurrentMovesIt() {
    List<BuildResult> runs = ThreeRuns.write(storeDir(), tmp.resolve("build"));
    ObjectStoreManifestStore store = store();
    CurrentPointer current = store.loadCurrent().orElseThrow();
    assertThat(current.runId()).isEqualTo("r3");
    assertThat(current.manifestRef()).isEqualTo(runs.get(2).manifestRef());

    store.setCurrent(runs.get(0).manifestRef());
    CurrentPointer moved = store.loadCurrent().orElseThrow();
    assertThat(moved.runId()).isEqualTo("r1");
    assertThat(moved.manifestRef()).isEqualTo(runs.get(0).manifestRef());
    assertThat(moved.formatVersion()).isEqualTo(CurrentPointer.FORMAT_VERSION);

    // A key relative to the prefix works too and resolves to the same full-URL ref.
    String relative = new LocalObjectStore(storeDir()).keyOf(runs.get(1).manifestRef());
    store.setCurrent(relative);
    assertThat(store.loadCurrent().orElseThrow().manifestRef())
        .isEqualTo(runs.get(1).manifestRef());
    assertThat(store.loadManifest(relative).runId()).isEqualTo("r2");
  }

  @Test
  void publishWritesTheManifestThenPointsCurrentAtIt() {
    List<BuildResult> runs = ThreeRuns.write(storeDir(), tmp.resolve("build"));
    ObjectStoreManifestStore store = store();
    Manifest r1 = store.loadManifest(runs.get(0).manifestRef());
    // Republish r1 into a second prefix: layout and pointer must match what the writer made.
    ObjectStoreManifestStore other =
        new ObjectStoreManifestStore(new LocalObjectStore(tmp.resolve("other")));
    PublishedRef published = other.publish(r1);
    assertThat(published.manifestRef()).endsWith(
        SnapshotLayout.manifestKey(r1.required().createdAt(), "r1"));
    assertThat(other.loadCurrent()).contains(published.pointer());
    assertThat(other.loadManifest(published.manifestRef())).isEqualTo(r1);
  }

  @Test
  void aFailedManifestWriteLeavesCurrentUntouched() throws Exception {
    List<BuildResult> runs = ThreeRuns.write(storeDir(), tmp.resolve("build"));
    Manifest r1 = store().loadManifest(runs.get(0).manifestRef());
    Path other = tmp.resolve("other");
    ObjectStoreManifestStore target = new ObjectStoreManifestStore(new LocalObjectStore(other));
    target.publish(r1);
    byte[] before = new LocalObjectStore(other).get(SnapshotLayout.CURRENT);
    // A plain file where the manifests directory should be: the manifest put must fail.
    java.nio.file.Files.walk(other.resolve("manifests")).sorted(java.util.Comparator.reverseOrder())
        .forEach(f -> f.toFile().delete());
    java.nio.file.Files.writeString(other.resolve("manifests"), "in the way");

    Manifest r3 = store().loadManifest(runs.get(2).manifestRef());
    assertThatThrownBy(() -> target.publish(r3)).isInstanceOf(RuntimeException.class);
    assertThat(new LocalObjectStore(other).get(SnapshotLayout.CURRENT)).isEqualTo(before);
    assertThat(target.loadCurrent().orElseThrow().runId()).isEqualTo("r1");
  }

  @Test
  void unknownOrForeignOrMalformedRefsFailClearlyAndLeaveCurrentAlone() {
    ThreeRuns.write(storeDir(), tmp.resolve("build"));
    ObjectStoreManifestStore store = store();
    byte[] before = currentBytes();
    String base = new LocalObjectStore(storeDir()).baseUrl();

    String missing = base + "/manifests/20000101T000000.000Z_run_id=nope/manifest";
    assertThatThrownBy(() -> store.setCurrent(missing))
        .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining(missing);
    assertThatThrownBy(() -> store.setCurrent("file:///elsewhere/manifests/x/manifest"))
        .isInstanceOf(StorageException.class).hasMessageContaining("not under");
    assertThatThrownBy(() -> store.setCurrent(base + "/_CURRENT"))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("not a manifest ref");
    assertThatThrownBy(() -> store.setCurrent(" "))
        .isInstanceOf(ConfigValidationException.class);

    String badKey = "manifests/20000101T000000.000Z_run_id=bad/manifest";
    new LocalObjectStore(storeDir()).put(badKey, "{\"required\": 3}".getBytes(
        StandardCharsets.UTF_8), "application/json");
    assertThatThrownBy(() -> store.setCurrent(base + "/" + badKey))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining(badKey);
    // History still lists it (the operator must see it to roll past it), saying why it is bad.
    List<ManifestEntry> history = store.listManifests(10);
    assertThat(history).extracting(ManifestEntry::runId).containsExactly("r3", "r2", "r1", "bad");
    ManifestEntry bad = history.get(3);
    assertThat(bad.valid()).isFalse();
    assertThat(bad.problem()).contains(badKey);
    assertThat(bad.createdAt()).isEqualTo(java.time.Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(bad.totalRows()).isEqualTo(-1);
    assertThat(history.subList(0, 3)).allMatch(ManifestEntry::valid);
    assertThatThrownBy(() -> Rollback.rollbackTo(store, Rollback.Selector.runId("bad")))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining(badKey);

    assertThat(currentBytes()).isEqualTo(before);
  }
}
