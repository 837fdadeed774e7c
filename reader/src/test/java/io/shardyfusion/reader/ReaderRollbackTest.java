package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static io.shardyfusion.reader.TestSnapshots.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.ops.rollback.Rollback.Selector;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reader follows {@code _CURRENT} when an operator rolls it back (or forward). */
class ReaderRollbackTest {
  @TempDir Path tmp;

  private WriteConfig config(String runId) {
    return TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build")).toBuilder()
        .runId(runId).build();
  }

  @Test
  void refreshFollowsRollbackByEachSelector() {
    BuildResult r1 = TestSnapshots.write(config("run1"), keys(0, 10), "run1");
    TestSnapshots.write(config("run2"), keys(0, 20), "run2");
    BuildResult r3 = TestSnapshots.write(config("run3"), keys(0, 30), "run3");
    ObjectStoreManifestStore store =
        new ObjectStoreManifestStore(new LocalObjectStore(tmp.resolve("store")));

    try (ShardedReader reader = ShardedReader.open(
        TestSnapshots.readerFor(config("run3"), tmp.resolve("reader")).build())) {
      assertThat(str(reader.get(5L))).isEqualTo("run3:5");
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(r3.manifestRef());

      Rollback.rollbackTo(store, Selector.offset(1));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(5L))).isEqualTo("run2:5");
      assertThat(str(reader.get(15L))).isEqualTo("run2:15");
      assertThat(reader.get(25L)).as("run2 has only keys 0..19").isNull();
      assertThat(reader.snapshotInfo().runId()).isEqualTo("run2");

      Rollback.rollbackTo(store, Selector.runId("run1"));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(5L))).isEqualTo("run1:5");
      assertThat(reader.get(15L)).isNull();
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(r1.manifestRef());
      assertThat(reader.refresh()).as("already serving what _CURRENT names").isFalse();

      Rollback.rollbackTo(store, Selector.ref(r3.manifestRef()));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(25L))).isEqualTo("run3:25");

      assertThatThrownBy(() -> Rollback.rollbackTo(store, Selector.offset(3)))
          .isInstanceOf(ConfigValidationException.class)
          .hasMessageContaining("3 manifests exist");
      assertThat(reader.refresh()).as("a failed rollback changes nothing").isFalse();
      assertThat(str(reader.get(25L))).isEqualTo("run3:25");
    }
  }
}
