package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.ops.cleanup.Cleanup;
import io.shardyfusion.ops.cleanup.CleanupListener;
import io.shardyfusion.ops.cleanup.CleanupPlan;
import io.shardyfusion.ops.cleanup.RetentionPolicy;
import io.shardyfusion.reader.PausingObjectStore.Phase;
import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A writer process SIGKILLed at each phase of a run (during shard uploads, after the manifest
 * before the pointer, after the pointer before its record says published, during loser
 * cleanup), against a real S3 API server. After each: {@code _CURRENT} names a complete
 * snapshot that reads back key by key, the next write succeeds, and cleanup after the killed
 * run's lease (an injected clock, not a wait) removes the debris and nothing a kept manifest
 * references. Both shard backends (RocksDB, SQLite).
 */
@UsesS3Proxy
class WriterCrashTest {
  private static final long KEYS = 2000;
  /**
   * Stop before this shard file upload: RocksDB shards have 5 files, so the 7th is in the middle
   * of the second shard; SQLite shards are one file, so the 3rd is the third shard.
   */
  private static int uploadPauseAt(String backend) {
    return backend.equals("sqlite") ? 3 : 7;
  }

  static Stream<Arguments> phasesAndBackends() {
    return Stream.of("rocksdb", "sqlite").flatMap(b -> Stream.of(Phase.UPLOAD, Phase.POINTER,
        Phase.RECORD, Phase.LOSERS).map(p -> Arguments.of(p, b)));
  }

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("phasesAndBackends")
  void aWriterKilledAtEachPhaseLeavesAServableSnapshotAndCleanupRemovesItsDebris(Phase phase,
      String backend, S3ProxyServer s3) throws Exception {
    String prefix = "s3://" + s3.createUniqueBucket("crash-" + phase.name().toLowerCase())
        + "/snap";
    WriteConfig config = TestSnapshots.s3Config(s3, prefix, tmp.resolve("b")).toBuilder()
        .shardBackend(CrashWriterMain.backend(backend)).build();
    int uploadPauseAt = uploadPauseAt(backend);
    BuildResult base = TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "base");

    try (ChildJvm writer = ChildJvm.start(tmp, "writer-" + phase, CrashWriterMain.class,
        s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region(), prefix,
        tmp.resolve("child").toString(), phase.name(),
        String.valueOf(phase == Phase.UPLOAD ? uploadPauseAt : 1), "killed",
        String.valueOf(KEYS), phase == Phase.LOSERS ? "losers" : "writer", backend)) {
      writer.expect("PHASE " + phase);
      writer.kill();
    }

    try (ObjectStore store = ObjectStores.open(prefix, config.s3ConnectionOptions(),
        config.credentialProvider());
        ObjectStoreManifestStore manifests = new ObjectStoreManifestStore(store)) {
      RunRecord killed = new RunRecords(store, Clock.systemUTC()).listAll().stream()
          .filter(r -> !r.runId().equals(base.runId())).findFirst().orElseThrow();
      assertThat(killed.status()).as("a writer killed before its record says published")
          .isEqualTo(phase == Phase.LOSERS ? RunStatus.PUBLISHED : RunStatus.RUNNING);
      String current = manifests.loadCurrent().orElseThrow().manifestRef();
      boolean pointerMoved = phase == Phase.RECORD || phase == Phase.LOSERS;

      // _CURRENT names a complete snapshot: the previous one, or the killed run's if the
      // kill came after the pointer; either reads back key by key.
      if (pointerMoved) {
        assertThat(current).contains(killed.runId());
      } else {
        assertThat(current).isEqualTo(base.manifestRef());
      }
      assertServesEveryKey(config, tmp.resolve("reader-after-kill"),
          pointerMoved ? "killed" : "base");

      // The debris the kill left.
      List<String> killedUploads = keys(store, SnapshotLayout.runShardsPrefix(killed.runId()));
      switch (phase) {
        case UPLOAD -> assertThat(killedUploads).as("some shards uploaded, not all")
            .hasSize(uploadPauseAt - 1);
        case POINTER -> assertThat(manifests.listManifestRefs(10)).as("an orphan manifest")
            .hasSize(2).anySatisfy(ref -> assertThat(ref).contains(killed.runId()));
        case LOSERS -> assertThat(attemptDirs(killedUploads, 0)).as("two attempts at shard 0")
            .hasSize(2);
        default -> { }
      }

      // The next write succeeds (and reuses the killed run's shards where it published).
      BuildResult next = TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "killed");
      assertServesEveryKey(config, tmp.resolve("reader-after-next"), "killed");

      // Cleanup once the killed run's lease has expired: the clock is moved, not waited for.
      Cleanup cleanup = new Cleanup(manifests, store,
          Clock.offset(Clock.systemUTC(), CrashWriterMain.LEASE.plusMinutes(1)));
      CleanupPlan plan = cleanup.plan(RetentionPolicy.builder().olderThan(Duration.ZERO)
          .orphanGrace(Duration.ofSeconds(30)).build());
      cleanup.execute(plan, CleanupListener.NONE);

      assertThat(manifests.listManifestRefs(10)).containsExactly(next.manifestRef());
      Manifest kept = manifests.loadManifest(next.manifestRef());
      Set<String> referencedDirs = kept.shards().stream()
          .map(s -> store.keyOf(s.dbUrl()).replaceAll("/$", "")).collect(Collectors.toSet());
      Map<String, Long> sizes = store.list(SnapshotLayout.SHARDS + "/").stream()
          .collect(Collectors.toMap(ObjectInfo::key, ObjectInfo::size));
      assertThat(sizes.keySet()).as("every shard object left is referenced by the kept manifest")
          .allSatisfy(k -> assertThat(referencedDirs).contains(attemptDir(k)));
      for (ShardMeta s : kept.shards()) {
        for (ShardFile f : s.files()) {
          assertThat(sizes.get(store.keyOf(s.dbUrl()).replaceAll("/$", "") + "/" + f.name()))
              .as("kept manifest's file %s of shard %d", f.name(), s.dbId()).isEqualTo(f.size());
        }
      }
      if (pointerMoved) {
        assertThat(referencedDirs).as("the next write reused the killed run's shards")
            .allSatisfy(d -> assertThat(d).contains(killed.runId()));
      } else {
        assertThat(keys(store, SnapshotLayout.runShardsPrefix(killed.runId())))
            .as("the killed run's partial uploads are gone").isEmpty();
        assertThat(new RunRecords(store, Clock.systemUTC()).listAll())
            .as("and so is its record").noneMatch(r -> r.runId().equals(killed.runId()));
      }
      if (phase == Phase.LOSERS) {
        assertThat(attemptDirs(keys(store, SnapshotLayout.runShardsPrefix(killed.runId())), 0))
            .as("the losing attempt is gone, the winner kept").hasSize(1);
      }
      assertServesEveryKey(config, tmp.resolve("reader-after-cleanup"), "killed");
    }
  }

  private static void assertServesEveryKey(WriteConfig config, Path localRoot, String tag) {
    try (ShardedReader reader = ShardedReader.open(TestSnapshots.readerFor(config, localRoot)
        .build())) {
      for (long k = 0; k < KEYS; k++) {
        assertThat(TestSnapshots.str(reader.get(k))).as("key %d", k)
            .isEqualTo(TestSnapshots.value(tag, k));
      }
    }
  }

  private static List<String> keys(ObjectStore store, String prefix) {
    return store.list(prefix).stream().map(ObjectInfo::key).toList();
  }

  private static String attemptDir(String key) {
    return key.substring(0, key.lastIndexOf('/'));
  }

  private static Set<String> attemptDirs(List<String> keys, int dbId) {
    Set<String> out = new HashSet<>();
    for (String k : keys) {
      SnapshotLayout.AttemptKey a = SnapshotLayout.parseAttemptKey(k);
      if (a != null && a.dbId() == dbId) {
        out.add(a.attempt());
      }
    }
    return out;
  }
}
