package io.shardyfusion.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.InMemoryManifestStore;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.PublishedRef;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer whose manifests and pointer live in another store than its shards. */
class SeparateManifestStoreTest {
  @TempDir Path tmp;

  private final InMemoryManifestStore manifests = new InMemoryManifestStore();

  private WriteConfig config(String runId) {
    return WriteConfig.builder().numDbs(4).s3Prefix(tmp.resolve("store").toUri().toString())
        .tempDir(tmp.resolve("build")).runId(runId).manifestStore(s -> manifests).build();
  }

  private BuildResult write(String runId, long rows, long changedKey) {
    List<Long> keys = LongStream.range(0, rows).boxed().toList();
    return SnapshotWriter.writeSharded(keys, config(runId), k -> k,
        k -> ("v" + (k == changedKey ? runId : "") + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
  }

  @Test
  void manifestsAndPointerGoToTheManifestStoreAndShardsToTheObjectStore() {
    BuildResult r1 = write("r1", 1000, -1);
    LocalObjectStore files = new LocalObjectStore(tmp.resolve("store"));

    assertThat(files.getIfExists(SnapshotLayout.CURRENT)).isEmpty();
    assertThat(files.list(SnapshotLayout.MANIFESTS + "/")).isEmpty();
    assertThat(manifests.loadCurrent().orElseThrow().manifestRef()).isEqualTo(r1.manifestRef());
    Manifest m = manifests.loadManifest(r1.manifestRef());
    assertThat(m.totalRows()).isEqualTo(1000);
    for (ShardMeta s : m.shards()) {
      String dir = files.keyOf(s.dbUrl());
      assertThat(files.list(dir + "/")).extracting(ObjectInfo::key)
          .containsExactlyInAnyOrderElementsOf(
              s.files().stream().map(f -> dir + "/" + f.name()).toList());
    }
  }

  @Test
  void unchangedShardsAreReusedThroughTheManifestStore() {
    write("r1", 1000, -1);
    BuildResult r2 = write("r2", 1000, 7);

    List<ManifestEntry> history = manifests.listManifests(5);
    assertThat(history).extracting(ManifestEntry::runId).containsExactly("r2", "r1");
    Manifest m2 = manifests.loadManifest(r2.manifestRef());
    long reused = m2.shards().stream().filter(s -> s.dbUrl().contains("run_id=r1/")).count();
    assertThat(reused).as("3 of 4 shards did not change").isEqualTo(3);
  }

  @Test
  void aFailedWriteLeavesTheManifestStoreUntouched() {
    BuildResult r1 = write("r1", 100, -1);
    List<Long> dupes = List.of(1L, 2L, 1L);
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(dupes, config("r2"), k -> k,
        k -> new byte[1], WriteOptions.defaults()))
        .isInstanceOf(DuplicateKeyException.class);
    assertThat(manifests.loadCurrent().orElseThrow().manifestRef()).isEqualTo(r1.manifestRef());
    assertThat(manifests.listManifests(5)).hasSize(1);
  }

  @Test
  void anUnreachableManifestStoreFailsBeforeAnyWork() {
    ManifestStore down = new UnreachableStore();
    WriteConfig cfg = config("r1").toBuilder().manifestStore(s -> down).build();
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(1L), cfg, k -> k,
        k -> new byte[1], WriteOptions.defaults()))
        .isInstanceOf(StorageException.class).hasMessageContaining("manifest store is down");
    assertThat(new LocalObjectStore(tmp.resolve("store")).list("")).isEmpty();
  }

  @Test
  void theDefaultFactorySurvivesSerialization() throws Exception {
    WriteConfig cfg = WriteConfig.builder().numDbs(2).s3Prefix("s3://bucket/p").build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(cfg);
    }
    WriteConfig copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (WriteConfig) in.readObject();
    }
    LocalObjectStore files = new LocalObjectStore(tmp.resolve("x"));
    assertThat(copy.openManifestStore(files).location())
        .isEqualTo(files.url(SnapshotLayout.CURRENT));
  }

  @Test
  void aPublishThatWentLiveDespiteAnErrorKeepsItsFiles() {
    // The database commits, then the connection drops before the client hears of it.
    ManifestStore committedThenLost = new ForwardingStore(manifests) {
      @Override
      public PublishedRef publish(Manifest manifest, ManifestFormat format) {
        manifests.publish(manifest, format);
        throw new StorageException("connection lost after commit", true);
      }
    };
    WriteConfig cfg = config("r1").toBuilder().manifestStore(s -> committedThenLost).build();
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(1L, 2L, 3L), cfg, k -> k,
        k -> new byte[] {1}, WriteOptions.defaults()))
        .isInstanceOf(StorageException.class).hasMessageContaining("after commit");

    Manifest live = manifests.loadManifest(manifests.loadCurrent().orElseThrow().manifestRef());
    assertThat(live.runId()).isEqualTo("r1");
    LocalObjectStore files = new LocalObjectStore(tmp.resolve("store"));
    for (ShardMeta s : live.shards()) {
      assertThat(files.list(files.keyOf(s.dbUrl()) + "/")).as("files of the live snapshot")
          .hasSize(s.files().size());
    }
  }

  /** Delegates everything; tests override what they break. */
  private static class ForwardingStore implements ManifestStore {
    private final ManifestStore d;

    ForwardingStore(ManifestStore d) {
      this.d = d;
    }

    @Override
    public String location() {
      return d.location();
    }

    @Override
    public PublishedRef publish(Manifest manifest, ManifestFormat format) {
      return d.publish(manifest, format);
    }

    @Override
    public Optional<io.shardyfusion.manifest.CurrentPointer> loadCurrent() {
      return d.loadCurrent();
    }

    @Override
    public Manifest loadManifest(String ref) {
      return d.loadManifest(ref);
    }

    @Override
    public List<ManifestEntry> listManifests(int limit) {
      return d.listManifests(limit);
    }

    @Override
    public void setCurrent(String ref) {
      d.setCurrent(ref);
    }

    @Override
    public void deleteManifests(Collection<String> refs) {
      d.deleteManifests(refs);
    }
  }

  /** A store whose every call fails the way an unreachable database does. */
  private static final class UnreachableStore implements ManifestStore {
    private static StorageException down() {
      return new StorageException("manifest store is down", true);
    }

    @Override
    public String location() {
      return "down://";
    }

    @Override
    public PublishedRef publish(Manifest manifest, ManifestFormat format) {
      throw down();
    }

    @Override
    public Optional<io.shardyfusion.manifest.CurrentPointer> loadCurrent() {
      throw down();
    }

    @Override
    public Manifest loadManifest(String ref) {
      throw down();
    }

    @Override
    public List<ManifestEntry> listManifests(int limit) {
      throw down();
    }

    @Override
    public void setCurrent(String ref) {
      throw down();
    }

    @Override
    public void deleteManifests(Collection<String> refs) {
      throw down();
    }
  }
}
