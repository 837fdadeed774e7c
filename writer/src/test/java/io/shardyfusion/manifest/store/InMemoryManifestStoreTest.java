package io.shardyfusion.manifest.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.storage.LocalObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemoryManifestStoreTest {
  @TempDir Path tmp;

  /** r1, r2, r3 as real writer output, oldest first. */
  private List<Manifest> manifests() {
    ThreeRuns.write(tmp.resolve("store"), tmp.resolve("build"));
    ObjectStoreManifestStore files =
        new ObjectStoreManifestStore(new LocalObjectStore(tmp.resolve("store")));
    List<Manifest> out = new java.util.ArrayList<>(files.listManifests(3).stream()
        .map(e -> files.loadManifest(e.ref())).toList());
    java.util.Collections.reverse(out);
    return out;
  }

  @Test
  void publishListAndSetCurrent() {
    InMemoryManifestStore store = new InMemoryManifestStore();
    assertThat(store.loadCurrent()).isEmpty();
    assertThat(store.listManifests(5)).isEmpty();

    List<PublishedRef> refs = manifests().stream().map(store::publish).toList();
    assertThat(refs).extracting(r -> r.pointer().runId()).containsExactly("r1", "r2", "r3");
    assertThat(store.loadCurrent()).contains(refs.get(2).pointer());

    assertThat(store.listManifests(5)).extracting(ManifestEntry::runId)
        .containsExactly("r3", "r2", "r1");
    assertThat(store.listManifests(5)).extracting(ManifestEntry::totalRows)
        .containsExactly(30L, 20L, 10L);
    assertThat(store.listManifests(1)).extracting(ManifestEntry::ref)
        .containsExactly(refs.get(2).manifestRef());

    store.setCurrent(refs.get(0).manifestRef());
    CurrentPointer current = store.loadCurrent().orElseThrow();
    assertThat(current.runId()).isEqualTo("r1");
    assertThat(current.manifestRef()).isEqualTo(refs.get(0).manifestRef());
    assertThat(store.loadManifest(current.manifestRef()).totalRows()).isEqualTo(10);
  }

  @Test
  void unknownAndMalformedRefsFailAndLeaveCurrentAlone() {
    InMemoryManifestStore store = new InMemoryManifestStore();
    manifests().forEach(store::publish);
    CurrentPointer before = store.loadCurrent().orElseThrow();

    assertThatThrownBy(() -> store.setCurrent("memory://manifests/x_run_id=zz/manifest"))
        .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("run_id=zz");
    String bad = "memory://manifests/00000000T000000.000Z_run_id=bad/manifest";
    store.putRaw(bad, "not json".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> store.setCurrent(bad))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining(bad);

    assertThat(store.loadCurrent()).contains(before);
  }
}
