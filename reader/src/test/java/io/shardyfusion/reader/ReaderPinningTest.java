package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static io.shardyfusion.reader.TestSnapshots.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReaderConfig#pinnedManifestRef()}: serve one manifest, never follow {@code _CURRENT}. */
class ReaderPinningTest {
  @TempDir Path tmp;

  private WriteConfig config(String runId) {
    return TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build")).toBuilder()
        .runId(runId).build();
  }

  @Test
  void pinnedReaderServesItsManifestAndIgnoresNewerPublishes() {
    BuildResult r1 = TestSnapshots.write(config("run1"), keys(0, 10), "run1");
    TestSnapshots.write(config("run2"), keys(0, 20), "run2");

    try (ShardedReader reader = ShardedReader.open(TestSnapshots.readerFor(config("run1"),
        tmp.resolve("reader")).pinnedManifestRef(r1.manifestRef())
        .refreshInterval(Duration.ofHours(1)).build())) {
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(r1.manifestRef());
      assertThat(str(reader.get(5L))).isEqualTo("run1:5");

      TestSnapshots.write(config("run3"), keys(0, 30), "run3");
      assertThat(reader.refresh()).isFalse();
      assertThat(str(reader.get(5L))).isEqualTo("run1:5");
      assertThat(reader.get(15L)).isNull();

      // Proof that _CURRENT is not read at all: a refresh succeeds without it.
      new LocalObjectStore(tmp.resolve("store")).delete(SnapshotLayout.CURRENT);
      assertThat(reader.refresh()).isFalse();
      assertThat(reader.snapshotInfo().runId()).isEqualTo("run1");
    }
  }

  @Test
  void pinnedReaderOpensWithoutAnyCurrentPointer() {
    BuildResult r1 = TestSnapshots.write(config("run1"), keys(0, 10), "run1");
    TestSnapshots.write(config("run2"), keys(0, 20), "run2");
    new LocalObjectStore(tmp.resolve("store")).delete(SnapshotLayout.CURRENT);

    try (ShardedReader reader = ShardedReader.open(TestSnapshots.readerFor(config("run1"),
        tmp.resolve("reader")).pinnedManifestRef(r1.manifestRef()).build())) {
      assertThat(str(reader.get(7L))).isEqualTo("run1:7");
    }
  }

  @Test
  void badPinsFailClearly() {
    BuildResult r1 = TestSnapshots.write(config("run1"), keys(0, 10), "run1");
    String missing = r1.manifestRef().replace("run_id=run1", "run_id=nope");
    assertThatThrownBy(() -> ShardedReader.open(TestSnapshots.readerFor(config("run1"),
        tmp.resolve("reader")).pinnedManifestRef(missing).build()))
        .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("run_id=nope");
    assertThatThrownBy(() -> TestSnapshots.readerFor(config("run1"), tmp.resolve("reader"))
        .pinnedManifestRef("file:///elsewhere/manifests/x/manifest").build())
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("not under s3Prefix");
    assertThatThrownBy(() -> TestSnapshots.readerFor(config("run1"), tmp.resolve("reader"))
        .pinnedManifestRef(" ").build())
        .isInstanceOf(ConfigValidationException.class);
  }
}
