package io.shardyfusion.manifest.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.storage.LocalObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ManifestStore} must do, run against each implementation (subclasses give a
 * fresh, empty store). Manifests are real writer output: r1, r2, r3 with 10, 20, 30 rows.
 */
public abstract class ManifestStoreContractTest {
  @TempDir protected Path contractTmp;

  /** A new, empty store. */
  protected abstract ManifestStore newStore();

  /** Manifests of runs r1, r2, r3 (oldest first), written by the real writer. */
  protected List<Manifest> threeManifests() {
    ThreeRuns.write(contractTmp.resolve("runs"), contractTmp.resolve("build"));
    ObjectStoreManifestStore files =
        new ObjectStoreManifestStore(new LocalObjectStore(contractTmp.resolve("runs")));
    List<Manifest> out = new ArrayList<>(files.listManifests(3).stream()
        .map(e -> files.loadManifest(e.ref())).toList());
    Collections.reverse(out);
    return out;
  }

  @Test
  void contractPublishListSetCurrent() {
    try (ManifestStore store = newStore()) {
      assertThat(store.loadCurrent()).isEmpty();
      assertThat(store.listManifests(5)).isEmpty();
      assertThat(store.location()).isNotBlank();

      List<PublishedRef> refs = threeManifests().stream().map(store::publish).toList();
      assertThat(refs).extracting(r -> r.pointer().runId()).containsExactly("r1", "r2", "r3");
      assertThat(store.loadCurrent().orElseThrow().manifestRef())
          .isEqualTo(refs.get(2).manifestRef());
      assertThat(store.listManifests(5)).extracting(ManifestEntry::runId)
          .containsExactly("r3", "r2", "r1");
      assertThat(store.listManifests(2)).extracting(ManifestEntry::totalRows)
          .containsExactly(30L, 20L);

      store.setCurrent(refs.get(0).manifestRef());
      CurrentPointer current = store.loadCurrent().orElseThrow();
      assertThat(current.runId()).isEqualTo("r1");
      assertThat(store.loadManifest(current.manifestRef()).totalRows()).isEqualTo(10);
    }
  }

  @Test
  void contractDeleteManifestsRefusesTheCurrentOneAndIgnoresUnknownRefs() {
    try (ManifestStore store = newStore()) {
      List<PublishedRef> refs = threeManifests().stream().map(store::publish).toList();
      String current = refs.get(2).manifestRef();

      assertThatThrownBy(() -> store.deleteManifests(List.of(refs.get(0).manifestRef(), current)))
          .isInstanceOf(ConfigValidationException.class)
          .hasMessageContaining("current manifest");
      assertThat(store.listManifests(5)).hasSize(3);

      store.deleteManifests(List.of(refs.get(0).manifestRef()));
      assertThat(store.listManifests(5)).extracting(ManifestEntry::runId)
          .containsExactly("r3", "r2");
      store.deleteManifests(List.of(refs.get(0).manifestRef()));
      assertThat(store.listManifests(5)).hasSize(2);
      assertThat(store.loadCurrent().orElseThrow().manifestRef()).isEqualTo(current);
    }
  }
}
