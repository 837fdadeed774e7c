package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static io.shardyfusion.reader.TestSnapshots.str;
import static io.shardyfusion.reader.TestSnapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ReaderStateException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.testing.S3ProxyExtension;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Failed refreshes, closed readers, state pinning under refresh, and the local shard cache. */
@ExtendWith(S3ProxyExtension.class)
class ReaderFailureTest {
  private static final int ROWS = 2_000;

  @TempDir Path tmp;

  /** JSON manifests: several tests here damage a manifest's JSON in place. */
  private WriteConfig fileConfig() {
    return TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build")).toBuilder()
        .manifestFormat("json").build();
  }

  private ShardedReader openReader(WriteConfig config, String localDir) {
    return ShardedReader.open(TestSnapshots.readerFor(config, tmp.resolve(localDir)).build());
  }

  // ---------------------------------------------------------------- failed refreshes

  @Test
  void aMalformedManifestFailsTheRefreshAndTheOldSnapshotKeepsServing() {
    WriteConfig config = fileConfig();
    BuildResult run1 = TestSnapshots.write(config, keys(0, ROWS), "run1");
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    try (ShardedReader reader = openReader(config, "reader")) {
      BuildResult run2 = TestSnapshots.write(config, keys(0, ROWS), "run2");
      String manifestKey = store.keyOf(run2.manifestRef());
      byte[] goodManifest = store.get(manifestKey);
      store.put(manifestKey, "{\"required\": [garbage".getBytes(StandardCharsets.UTF_8),
          ManifestCodec.JSON_CONTENT_TYPE);

      assertThatThrownBy(reader::refresh)
          .isInstanceOf(ManifestParseException.class)
          .hasMessageContaining(run2.manifestRef());
      assertStillServes(reader, run1, "run1");

      // Once the manifest is repaired the same snapshot loads.
      store.put(manifestKey, goodManifest, ManifestCodec.JSON_CONTENT_TYPE);
      assertThat(reader.refresh()).isTrue();
      assertThat(reader.snapshotInfo().runId()).isEqualTo(run2.runId());
      assertThat(str(reader.get(5L))).isEqualTo(value("run2", 5));
    }
  }

  /** Rewrites a published JSON manifest in place, as a broken or foreign writer would. */
  private static void editManifest(LocalObjectStore store, BuildResult run,
      java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit)
      throws IOException {
    String key = store.keyOf(run.manifestRef());
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        (com.fasterxml.jackson.databind.node.ObjectNode) ManifestCodec.mapper()
            .readTree(store.get(key));
    edit.accept(tree);
    store.put(key, ManifestCodec.mapper().writeValueAsBytes(tree),
        ManifestCodec.JSON_CONTENT_TYPE);
  }

  @Test
  void aManifestNamingAnUnknownShardBackendFailsTheRefreshClearlyAndTheOldSnapshotKeepsServing()
      throws Exception {
    WriteConfig config = fileConfig();
    BuildResult run1 = TestSnapshots.write(config, keys(0, ROWS), "run1");
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    try (ShardedReader reader = openReader(config, "reader")) {
      BuildResult run2 = TestSnapshots.write(config, keys(0, ROWS), "run2");
      editManifest(store, run2, tree -> ((com.fasterxml.jackson.databind.node.ObjectNode)
          tree.get("required")).put("shard_format", "lmdb"));

      assertThatThrownBy(reader::refresh)
          .isInstanceOfSatisfying(ManifestParseException.class,
              e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining(run2.manifestRef())
          .hasMessageContaining("shard backend 'lmdb' is not available here")
          .hasMessageContaining("(on the classpath: [rocksdb, sqlite])");
      assertStillServes(reader, run1, "run1");
    }
  }

  @Test
  void aManifestWhoseShardLiesOutsideThePrefixIsRefusedAsNotRetryable() throws Exception {
    WriteConfig config = fileConfig();
    BuildResult run1 = TestSnapshots.write(config, keys(0, ROWS), "run1");
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    try (ShardedReader reader = openReader(config, "reader")) {
      BuildResult run2 = TestSnapshots.write(config, keys(0, ROWS), "run2");
      String foreign = "file:///elsewhere/shards/run_id=x/db=00000/attempt=a";
      editManifest(store, run2, tree -> ((com.fasterxml.jackson.databind.node.ObjectNode)
          tree.get("shards").get(0)).put("db_url", foreign));

      assertThatThrownBy(reader::refresh)
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).as("retryable").isFalse())
          .hasMessageContaining(foreign)
          .hasMessageContaining("outside this snapshot's prefix");
      assertStillServes(reader, run1, "run1");
    }
  }

  @ParameterizedTest(name = "store = {0}")
  @ValueSource(strings = {"file", "s3"})
  void aCorruptShardFileFailsTheRefreshAndTheOldSnapshotKeepsServing(String kind,
      S3ProxyServer s3) {
    WriteConfig config = kind.equals("s3")
        ? TestSnapshots.s3Config(s3, "s3://" + s3.createUniqueBucket("reader-corrupt") + "/p",
            tmp.resolve("build"))
        : fileConfig();
    BuildResult run1 = TestSnapshots.write(config, keys(0, ROWS), "run1");
    try (ShardedReader reader = openReader(config, "reader");
        ObjectStore store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
            config.credentialProvider())) {
      BuildResult run2 = TestSnapshots.write(config, keys(0, ROWS), "run2");
      ShardMeta shard = run2.winners().get(run2.winners().size() - 1);
      ShardFile biggest = shard.files().stream().max(Comparator.comparingLong(ShardFile::size))
          .orElseThrow();
      String key = store.keyOf(shard.dbUrl()) + "/" + biggest.name();
      byte[] original = store.get(key);
      byte[] corrupt = original.clone();
      for (int i = corrupt.length / 2; i < corrupt.length / 2 + 16; i++) {
        corrupt[i] ^= (byte) 0x5A;
      }
      store.put(key, corrupt, "application/octet-stream");
      assertThat(store.get(key)).hasSize(original.length).isNotEqualTo(original);

      assertThatThrownBy(reader::refresh)
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("does not match")
          .hasMessageContaining("crc32c")
          .hasMessageContaining(biggest.name());
      assertStillServes(reader, run1, "run1");
      try (Stream<Path> files = Files.walk(tmp.resolve("reader"))) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("no partial or rejected downloads left in localRoot")
            .noneMatch(n -> n.endsWith(".part") || n.endsWith(".sf-download"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      // The rejected file was not kept: once the object is repaired the snapshot loads.
      store.put(key, original, "application/octet-stream");
      assertThat(reader.refresh()).isTrue();
      assertThat(reader.snapshotInfo().runId()).isEqualTo(run2.runId());
      for (long k = 0; k < ROWS; k++) {
        assertThat(str(reader.get(k))).isEqualTo(value("run2", k));
      }
    }
  }

  private static void assertStillServes(ShardedReader reader, BuildResult run, String tag) {
    assertThat(reader.snapshotInfo().runId()).isEqualTo(run.runId());
    assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(run.manifestRef());
    for (long k = 0; k < ROWS; k++) {
      byte[] v = reader.get(k);
      if (v == null || !str(v).equals(value(tag, k))) {
        assertThat(str(v)).as("get(%s)", k).isEqualTo(value(tag, k));
      }
    }
    assertThat(reader.multiGet(List.of(1L, 2L, 3L)).values()).extracting(TestSnapshots::str)
        .containsExactly(value(tag, 1), value(tag, 2), value(tag, 3));
  }

  // ---------------------------------------------------------------- closed reader

  @Test
  void everyCallAfterCloseThrowsAndCloseIsIdempotent() {
    WriteConfig config = fileConfig();
    TestSnapshots.write(config, keys(0, 100), "run1");
    ShardedReader reader = openReader(config, "reader");
    assertThat(str(reader.get(1L))).isEqualTo(value("run1", 1));
    reader.close();

    assertThatThrownBy(() -> reader.get(1L)).isInstanceOf(ReaderStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> reader.get(1L, Map.of())).isInstanceOf(ReaderStateException.class);
    assertThatThrownBy(() -> reader.multiGet(List.of(1L, 2L)))
        .isInstanceOf(ReaderStateException.class);
    assertThatThrownBy(reader::snapshotInfo).isInstanceOf(ReaderStateException.class);
    assertThatThrownBy(reader::refresh).isInstanceOf(ReaderStateException.class);
    assertThatThrownBy(reader::manifest).isInstanceOf(ReaderStateException.class);
    assertThatThrownBy(() -> reader.shardForKey(1L)).isInstanceOf(ReaderStateException.class);
    assertThatCode(reader::close).doesNotThrowAnyException();
    assertThatThrownBy(() -> reader.get(1L)).isInstanceOf(ReaderStateException.class);
  }

  // ---------------------------------------------------------------- pinning

  @Test
  void anInFlightReadKeepsItsStateOpenAcrossARefreshUntilItReleases() throws Exception {
    WriteConfig config = fileConfig();
    TestSnapshots.write(config, keys(0, ROWS), "run1");
    try (ShardedReader reader = openReader(config, "reader")) {
      ReaderState pinned = reader.acquire(); // as a read that has started but not returned
      try {
        BuildResult run2 = TestSnapshots.write(config, keys(0, ROWS), "run2");
        assertThat(reader.refresh()).isTrue();
        assertThat(reader.snapshotInfo().runId()).isEqualTo(run2.runId());

        assertThat(pinned.isClosed()).as("old state closed under an in-flight read").isFalse();
        for (long k = 0; k < ROWS; k += 97) {
          assertThat(str(readThrough(pinned, k))).isEqualTo(value("run1", k));
          assertThat(str(reader.get(k))).isEqualTo(value("run2", k));
        }
      } finally {
        pinned.release();
      }
      assertThat(pinned.isClosed()).as("old state closed after its last read returned")
          .isTrue();
      assertThat(pinned.retain()).as("a closed state cannot be pinned again").isFalse();

      // The same holds for close(): the reader refuses new reads, the pinned state stays open.
      ReaderState current = reader.acquire();
      reader.close();
      assertThatThrownBy(() -> reader.get(1L)).isInstanceOf(ReaderStateException.class);
      assertThat(current.isClosed()).isFalse();
      assertThat(str(readThrough(current, 42))).isEqualTo(value("run2", 42));
      current.release();
      assertThat(current.isClosed()).isTrue();
    }
  }

  private static byte[] readThrough(ReaderState state, long key) throws Exception {
    Object k = state.encoding.normalize(key);
    return state.shard(state.router.route(k)).get(state.encoding.encode(k));
  }

  /**
   * Eight threads read (get and multiGet) while the main thread flips {@code _CURRENT} between
   * two snapshots and refreshes. No read fails, every value is one of the two snapshots', a
   * multiGet never mixes them, reads that start after a refresh returned see the new snapshot,
   * and every swapped-out state is closed at the end (no leaked references).
   */
  @Test
  void readsDuringRepeatedRefreshesNeverFailNorMixSnapshots() throws Exception {
    final int threads = 8;
    final int rounds = 24;
    final int readsPerRound = 40;       // checked reads per thread between two refreshes
    final long maxIterations = 50_000_000; // bound on each reader's loop
    WriteConfig config = fileConfig();
    BuildResult a = TestSnapshots.write(config, keys(0, ROWS), "A");
    BuildResult b = TestSnapshots.write(config, keys(0, ROWS), "B");
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    Map<String, byte[]> pointers = Map.of("A", pointer(a), "B", pointer(b));
    store.put(SnapshotLayout.CURRENT, pointers.get("A"), "application/json");

    try (ShardedReader reader = openReader(config, "reader")) {
      assertThat(reader.snapshotInfo().runId()).isEqualTo(a.runId());
      CountDownLatch[] settled = new CountDownLatch[rounds + 1];
      for (int i = 0; i <= rounds; i++) {
        settled[i] = new CountDownLatch(threads);
      }
      String[] expectedRun = new String[rounds + 1];
      for (int i = 0; i <= rounds; i++) {
        expectedRun[i] = i % 2 == 0 ? "A" : "B";
      }
      // round i: the refresh to expectedRun[i] has returned (round 0: the snapshot opened).
      AtomicInteger round = new AtomicInteger(0);
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      AtomicLongArray seenA = new AtomicLongArray(threads);
      AtomicLongArray seenB = new AtomicLongArray(threads);
      CyclicBarrier start = new CyclicBarrier(threads + 1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final int id = t;
        Thread w = new Thread(() -> {
          int countedRound = -1;
          int counted = 0;
          try {
            start.await(30, TimeUnit.SECONDS);
            long it = 0;
            for (; it < maxIterations && !stop.get(); it++) {
              int r = round.get(); // read before the lookup starts
              long k = ThreadLocalRandom.current().nextLong(ROWS - 8);
              String run;
              if ((it & 1) == 0) {
                run = runOf(str(reader.get(k)), k);
              } else {
                Map<Object, byte[]> got = reader.multiGet(keys(k, k + 8));
                run = null;
                for (Map.Entry<Object, byte[]> e : got.entrySet()) {
                  String r2 = runOf(str(e.getValue()), (Long) e.getKey());
                  if (run != null && !run.equals(r2)) {
                    throw new AssertionError("one multiGet mixed snapshots " + run + " and "
                        + r2 + ": " + got.keySet());
                  }
                  run = r2;
                }
              }
              (run.equals("A") ? seenA : seenB).incrementAndGet(id);
              if (r != countedRound) {
                countedRound = r;
                counted = 0;
              }
              if (counted < readsPerRound) {
                // The refresh of round r has returned and the next one waits for these reads.
                if (!run.equals(expectedRun[r])) {
                  throw new AssertionError("a read started after the refresh to "
                      + expectedRun[r] + " returned saw " + run + " (round " + r + ")");
                }
                if (++counted == readsPerRound) {
                  settled[r].countDown();
                }
              }
            }
            if (!stop.get()) {
              throw new AssertionError("reader " + id + " hit the iteration bound " + it);
            }
          } catch (Throwable e) {
            errors.add(e);
            for (CountDownLatch l : settled) { // let the main thread see the failure now
              l.countDown();
            }
          }
        }, "reader-" + t);
        w.setDaemon(true);
        w.start();
        workers.add(w);
      }

      List<ReaderState> swappedOut = new ArrayList<>();
      int refreshes = 0;
      try {
        start.await(30, TimeUnit.SECONDS);
        for (int i = 1; i <= rounds && errors.isEmpty(); i++) {
          assertThat(settled[i - 1].await(60, TimeUnit.SECONDS)).as("readers settled in round "
              + (i - 1)).isTrue();
          ReaderState before = reader.acquire();
          before.release();
          store.put(SnapshotLayout.CURRENT, pointers.get(expectedRun[i]), "application/json");
          assertThat(reader.refresh()).as("refresh %s", i).isTrue();
          swappedOut.add(before);
          refreshes++;
          round.set(i);
          assertThat(str(reader.get(7L))).isEqualTo(value(expectedRun[i], 7));
        }
        assertThat(settled[rounds].await(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        stop.set(true); // also when the main thread failed: no reader keeps spinning
        for (Thread w : workers) {
          w.join(TimeUnit.SECONDS.toMillis(60));
        }
      }
      assertThat(workers).noneMatch(Thread::isAlive);

      if (!errors.isEmpty()) {
        AssertionError failure = new AssertionError(errors.size() + " reader thread(s) failed");
        errors.forEach(failure::addSuppressed);
        throw failure;
      }
      assertThat(refreshes).isEqualTo(rounds);
      for (int t = 0; t < threads; t++) {
        assertThat(seenA.get(t)).as("reads of A by thread %s", t).isPositive();
        assertThat(seenB.get(t)).as("reads of B by thread %s", t).isPositive();
      }
      assertThat(swappedOut).hasSize(rounds)
          .allSatisfy(s -> assertThat(s.isClosed()).as("swapped-out state closed").isTrue());
      assertThat(reader.snapshotInfo().runId()).isEqualTo(
          expectedRun[rounds].equals("A") ? a.runId() : b.runId());
    }
  }

  private static byte[] pointer(BuildResult r) {
    return ManifestCodec.toJson(new CurrentPointer(r.manifestRef(), ManifestCodec.JSON_CONTENT_TYPE,
        r.runId(), Instant.now(), CurrentPointer.FORMAT_VERSION));
  }

  /** "A" or "B" for a value {@code run:key} of {@code key}; fails for anything else. */
  private static String runOf(String v, long key) {
    if (v == null) {
      throw new AssertionError("key " + key + " returned null");
    }
    int colon = v.indexOf(':');
    String run = colon < 0 ? "" : v.substring(0, colon);
    if (!(run.equals("A") || run.equals("B")) || !v.substring(colon + 1).equals(
        Long.toString(key))) {
      throw new AssertionError("key " + key + " returned " + v
          + ", which is neither snapshot's value");
    }
    return run;
  }

  // ---------------------------------------------------------------- local shard cache

  @Test
  void aRestartReusesIntactLocalFilesAndRedownloadsDamagedOnes() throws Exception {
    WriteConfig config = fileConfig();
    BuildResult run = TestSnapshots.write(config, keys(0, ROWS), "run1");
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    Path localRoot = tmp.resolve("reader");
    try (ShardedReader reader = openReader(config, "reader")) {
      assertThat(str(reader.get(3L))).isEqualTo(value("run1", 3));
    }
    Map<Path, Object> identity = new HashMap<>();
    Map<Path, Long> size = new HashMap<>();
    List<Path> files = new ArrayList<>();
    for (ShardMeta shard : run.winners()) {
      for (ShardFile f : shard.files()) {
        Path p = localRoot.resolve(store.keyOf(shard.dbUrl())).resolve(f.name());
        assertThat(p).as("local copy of %s", f.name()).isRegularFile().hasSize(f.size());
        files.add(p);
        identity.put(p, fileIdentity(p));
        size.put(p, f.size());
      }
    }

    // Restart: a second reader on the same localRoot uses the files as they are.
    try (ShardedReader reader = openReader(config, "reader")) {
      assertThat(str(reader.get(4L))).isEqualTo(value("run1", 4));
    }
    for (Path p : files) {
      assertThat(fileIdentity(p)).as("%s was not replaced", p).isEqualTo(identity.get(p));
    }

    // Damage two files: one truncated, one with flipped bytes at the same size.
    Path truncated = files.stream().max(Comparator.comparingLong(size::get)).orElseThrow();
    Path flipped = files.stream().filter(p -> !p.equals(truncated))
        .max(Comparator.comparingLong(size::get)).orElseThrow();
    try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
      ch.truncate(size.get(truncated) / 2);
    }
    byte[] bytes = Files.readAllBytes(flipped);
    bytes[bytes.length / 2] ^= (byte) 0xFF;
    Files.write(flipped, bytes);
    Object flippedIdentity = fileIdentity(flipped);

    try (ShardedReader reader = openReader(config, "reader")) {
      for (long k = 0; k < ROWS; k++) {
        assertThat(str(reader.get(k))).isEqualTo(value("run1", k));
      }
    }
    assertThat(truncated).hasSize(size.get(truncated));
    assertThat(fileIdentity(truncated)).as("truncated file replaced")
        .isNotEqualTo(identity.get(truncated));
    assertThat(flipped).hasSize(size.get(flipped));
    assertThat(fileIdentity(flipped)).as("corrupt file replaced").isNotEqualTo(flippedIdentity);
    for (Path p : files) {
      if (!p.equals(truncated) && !p.equals(flipped)) {
        assertThat(fileIdentity(p)).as("%s was not replaced", p).isEqualTo(identity.get(p));
      }
    }
  }

  /** Inode and modification time: a re-download (temp file + rename) changes both. */
  private static Object fileIdentity(Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
    return Collections.unmodifiableList(List.of(String.valueOf(a.fileKey()),
        a.lastModifiedTime().toString()));
  }
}
