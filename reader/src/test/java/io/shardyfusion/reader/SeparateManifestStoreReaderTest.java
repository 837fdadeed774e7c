package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static io.shardyfusion.reader.TestSnapshots.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.InMemoryManifestStore;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.ops.rollback.Rollback.Selector;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader whose manifests and pointer live in another store than the shards (here in memory;
 * the PostgreSQL store runs the same way in its own module).
 */
class SeparateManifestStoreReaderTest {
  @TempDir Path tmp;

  private final InMemoryManifestStore manifests = new InMemoryManifestStore();

  private WriteConfig config(String runId) {
    return TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build")).toBuilder()
        .runId(runId).reuseUnchangedShards(false).manifestStore(s -> manifests).build();
  }

  private ReaderConfig.Builder reader() {
    return TestSnapshots.readerFor(config("x"), tmp.resolve("reader"))
        .manifestStore(s -> manifests);
  }

  @Test
  void readsRefreshesAndFollowsRollbackThroughTheManifestStore() {
    BuildResult r1 = TestSnapshots.write(config("run1"), keys(0, 10), "run1");
    assertThat(new LocalObjectStore(tmp.resolve("store")).getIfExists("_CURRENT")).isEmpty();

    try (ShardedReader reader = ShardedReader.open(reader().build())) {
      assertThat(str(reader.get(5L))).isEqualTo("run1:5");
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(r1.manifestRef());

      TestSnapshots.write(config("run2"), keys(0, 20), "run2");
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(15L))).isEqualTo("run2:15");

      Rollback.rollbackTo(manifests, Selector.runId("run1"));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(5L))).isEqualTo("run1:5");
      assertThat(reader.get(15L)).isNull();
    }

    try (ShardedReader pinned = ShardedReader.open(reader()
        .pinnedManifestRef(r1.manifestRef()).build())) {
      assertThat(pinned.snapshotInfo().runId()).isEqualTo("run1");
    }
  }

  @Test
  void fallbackAfterARollbackNeverServesTheNewerSnapshotTheOperatorBackedAwayFrom() {
    TestSnapshots.write(config("run1"), keys(0, 10), "run1");
    BuildResult r2 = TestSnapshots.write(config("run2"), keys(0, 10), "run2");
    TestSnapshots.write(config("run3"), keys(0, 10), "run3");
    Rollback.rollbackTo(manifests, Selector.runId("run2"));
    // run2 cannot be served: its shard files are gone.
    LocalObjectStore files = new LocalObjectStore(tmp.resolve("store"));
    for (ShardMeta s : manifests.loadManifest(r2.manifestRef()).shards()) {
      files.deleteAll(files.list(files.keyOf(s.dbUrl()) + "/").stream()
          .map(io.shardyfusion.storage.ObjectInfo::key).toList());
    }

    try (ShardedReader reader = ShardedReader.open(reader().build())) {
      assertThat(str(reader.get(5L))).as("run1 is older than run2; run3 is what was rolled "
          + "back").isEqualTo("run1:5");
      assertThat(reader.health(Duration.ofDays(1)).status())
          .isEqualTo(ReaderHealth.Status.DEGRADED);
    }
  }

  @Test
  void anEmptyManifestStoreNamesItselfInTheError() {
    assertThatThrownBy(() -> ShardedReader.open(reader().build()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("no snapshot is published")
        .hasMessageContaining(InMemoryManifestStore.BASE);
  }
}
