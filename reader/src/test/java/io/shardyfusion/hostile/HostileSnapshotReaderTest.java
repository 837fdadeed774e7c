package io.shardyfusion.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.backend.sqlite.PageSize;
import io.shardyfusion.backend.sqlite.SqliteBackend;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.manifest.ManifestLimits;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.Checksums;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A reader serving a good snapshot is pointed at hostile ones: manifests whose shards live
 * elsewhere (another bucket, scheme or dataset, an escaping path), pointers to missing, foreign
 * or mismatched manifests, oversized and truncated manifests, damaged shard files. Each refresh
 * fails with a non-retryable error naming the problem, the reader keeps serving the previous
 * snapshot, and nothing appears outside the reader's localRoot and the store.
 *
 * <p>On a {@code file://} store (no server), both backends and both manifest formats; under
 * failsafe because each of its 70 cases writes and opens a snapshot (about a minute in all).
 */
@IntegrationTest
class HostileSnapshotReaderTest {
  private static final int ROWS = 200;

  @TempDir Path tmp;
  private Path storeDir;
  private Path localRoot;
  private LocalObjectStore store;
  private WriteConfig config;
  private ShardedReader reader;
  private Manifest good;
  private String goodRef;
  private Set<String> filesBefore;

  /** A hostile publish: turns the good snapshot into the bytes of the next one. */
  interface Hostility {
    void publish(HostileSnapshotReaderTest t) throws Exception;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String backend : List.of("rocksdb", "sqlite")) {
      for (String format : List.of("json", "sqlite-v4")) {
        String v = backend + "+" + format;
        // ---- where shards live
        out.add(Arguments.of(v, backend, format, "db_url-other-bucket",
            (Hostility) t -> t.publishWithUrls(u -> u.replace(t.store.baseUrl(),
                "s3://other-bucket/snap")), "is not under"));
        out.add(Arguments.of(v, backend, format, "db_url-http",
            (Hostility) t -> t.publishWithUrls(u -> "http://169.254.169.254/latest/meta-data"),
            "is not under"));
        out.add(Arguments.of(v, backend, format, "db_url-other-dataset",
            (Hostility) t -> t.publishWithUrls(u -> u.replace("/store/", "/other-store/")),
            "is not under"));
        out.add(Arguments.of(v, backend, format, "db_url-dotdot",
            (Hostility) t -> t.publishWithUrls(u -> u + "/../../../../outside"),
            "path segment"));
        out.add(Arguments.of(v, backend, format, "db_url-prefix-itself",
            (Hostility) t -> t.publishWithUrls(u -> t.store.baseUrl()), "is not under"));
        out.add(Arguments.of(v, backend, format, "file-name-escapes",
            (Hostility) t -> t.publishWithFiles(f -> new ShardFile("../../../outside",
                f.size(), f.crc32c())), "invalid name"));
        // ---- pointers
        out.add(Arguments.of(v, backend, format, "pointer-to-missing-manifest",
            (Hostility) t -> t.writePointer(t.store.url("manifests/2099-01-01T00:00:00.000000Z"
                + "_run_id=gone/manifest"), "gone"), "no object at"));
        out.add(Arguments.of(v, backend, format, "pointer-to-foreign-dataset",
            (Hostility) t -> t.writePointer("file://" + t.tmp.resolve("other") + "/manifests/"
                + "x/manifest", t.good.runId()), "not under this store"));
        out.add(Arguments.of(v, backend, format, "pointer-to-non-manifest-key",
            (Hostility) t -> t.writePointer(t.store.url("runs/x/run.yaml"), t.good.runId()),
            "is not a manifest ref"));
        out.add(Arguments.of(v, backend, format, "pointer-run-mismatch",
            (Hostility) t -> {
              Manifest next = t.nextRun(t.good);
              t.publish(next);
              t.writePointer(t.store.url(SnapshotLayout.manifestKey(
                  next.required().createdAt(), next.runId())), "someone-elses-run");
            }, "do not belong together"));
        out.add(Arguments.of(v, backend, format, "manifest-run-yaml-bytes",
            (Hostility) t -> t.publishBytes("run_id: \"x\"\nstatus: \"running\"\n"
                .getBytes(StandardCharsets.UTF_8)), "not a manifest in any format"));
        out.add(Arguments.of(v, backend, format, "manifest-truncated",
            (Hostility) t -> {
              byte[] b = t.encode(t.nextRun(t.good));
              t.publishBytes(java.util.Arrays.copyOf(b, b.length / 2));
            }, "malformed manifest data"));
        out.add(Arguments.of(v, backend, format, "manifest-over-size-bound",
            (Hostility) t -> {
              t.publish(t.nextRun(t.good));
              System.setProperty(ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY, "200");
            }, "more than the 200 bytes"));
        out.add(Arguments.of(v, backend, format, "num_dbs-2^31-1",
            (Hostility) t -> t.publish(t.withNumDbs(t.nextRun(t.good), Integer.MAX_VALUE)),
            "outside 1..1048576"));
        // ---- shard files whose bytes match the manifest but are not a shard
        out.add(Arguments.of(v, backend, format, "shard-garbage-bytes",
            (Hostility) t -> t.publishDamagedShard(bytes -> {
              byte[] g = new byte[bytes.length];
              java.util.Arrays.fill(g, (byte) 0x5a);
              return g;
            }), backend.equals("sqlite") ? "not a SQLite database" : "RocksDB"));
        out.add(Arguments.of(v, backend, format, "shard-truncated-bytes",
            (Hostility) t -> t.publishDamagedShard(bytes -> java.util.Arrays.copyOf(bytes,
                bytes.length - 3)), backend.equals("sqlite") ? "truncated" : "RocksDB"));
        if (backend.equals("sqlite")) {
          out.add(Arguments.of(v, backend, format, "shard-without-kv-table",
              (Hostility) t -> t.publishDamagedShard(bytes -> sqlite(t.tmp,
                  "CREATE TABLE other (k BLOB PRIMARY KEY, v BLOB)")), "has no kv table"));
          out.add(Arguments.of(v, backend, format, "shard-text-keys",
              (Hostility) t -> t.publishDamagedShard(bytes -> sqlite(t.tmp,
                  "CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID; "
                      + "INSERT INTO kv VALUES ('abc', x'00')")), "stores keys as text"));
          out.add(Arguments.of(v, backend, format, "shard-page-size-contradicts-length",
              (Hostility) t -> t.publishDamagedShard(bytes -> {
                byte[] g = bytes.clone();
                g[16] = 0x40; // claims 16384-byte pages; the file is not a multiple
                g[17] = 0x00;
                return java.util.Arrays.copyOf(g, bytes.length + 4096);
              }), "page"));
        }
      }
    }
    return out.stream();
  }

  @BeforeEach
  void setUp() throws IOException {
    storeDir = tmp.resolve("store");
    localRoot = tmp.resolve("reader");
    Files.createDirectories(storeDir);
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY);
    if (reader != null) {
      reader.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("cases")
  void refreshToAHostileSnapshotFailsAndTheOldOneKeepsServing(String variant, String backend,
      String format, String name, Hostility hostility, String expected) throws Exception {
    WriteConfig.Builder b = WriteConfig.builder().numDbs(4).s3Prefix(storeDir.toUri().toString())
        .tempDir(tmp.resolve("build")).manifestFormat(format);
    if (backend.equals("sqlite")) {
      b.shardBackend(SqliteBackend.of(PageSize.of(4096)));
    }
    config = b.build();
    List<Long> keys = java.util.stream.LongStream.range(0, ROWS).boxed().toList();
    SnapshotWriter.writeSharded(keys, config, k -> k,
        k -> ("good:" + k).getBytes(StandardCharsets.UTF_8), WriteOptions.defaults());
    store = new LocalObjectStore(storeDir);
    reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(config.s3Prefix())
        .localRoot(localRoot).build());
    good = reader.manifest();
    goodRef = reader.snapshotInfo().manifestRef();
    assertThat(new String(reader.get(7L), StandardCharsets.UTF_8)).isEqualTo("good:7");
    filesBefore = filesOutside();

    hostility.publish(this);

    assertThatThrownBy(() -> reader.refresh())
        .isInstanceOf(ShardyfusionException.class)
        .satisfies(e -> assertThat(((ShardyfusionException) e).retryable())
            .as("retryable flag of %s", e).isFalse())
        .hasMessageContaining(expected);
    System.clearProperty(ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY);
    // the previous snapshot keeps serving, every key of it
    assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(goodRef);
    for (long k = 0; k < ROWS; k += 13) {
      assertThat(new String(reader.get(k), StandardCharsets.UTF_8)).isEqualTo("good:" + k);
    }
    // nothing was written outside the store and localRoot
    assertThat(filesOutside()).isEqualTo(filesBefore);
    assertThat(tmp.resolve("outside")).doesNotExist();
  }

  @org.junit.jupiter.api.Test
  void aSymlinkPlantedUnderLocalRootIsNotFollowedOut() throws Exception {
    config = WriteConfig.builder().numDbs(4).s3Prefix(storeDir.toUri().toString())
        .tempDir(tmp.resolve("build")).build();
    SnapshotWriter.writeSharded(java.util.stream.LongStream.range(0, ROWS).boxed().toList(),
        config, k -> k, k -> ("good:" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults());
    store = new LocalObjectStore(storeDir);
    reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(config.s3Prefix())
        .localRoot(localRoot).build());
    good = reader.manifest();
    goodRef = reader.snapshotInfo().manifestRef();
    // the next run's shards, copied to its own directories...
    Manifest next = nextRun(good);
    List<ShardMeta> shards = new ArrayList<>();
    for (ShardMeta s : next.shards()) {
      String from = store.keyOf(s.dbUrl());
      String to = from.replace("run_id=" + good.runId(), "run_id=" + next.runId());
      for (ShardFile f : s.files()) {
        store.put(to + "/" + f.name(), store.get(from + "/" + f.name()), "x");
      }
      shards.add(new ShardMeta(s.dbId(), store.url(to), s.attempt(), s.rowCount(), s.dbBytes(),
          s.minKey(), s.maxKey(), s.files(), s.writerInfo(), s.contentHash(), s.checkpointId()));
    }
    // ...and, where the reader will cache them, a link to a directory outside localRoot
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path runDir = localRoot.resolve(SnapshotLayout.SHARDS + "/run_id=" + next.runId());
    Files.createDirectories(runDir.getParent());
    Files.createSymbolicLink(runDir, outside);
    publish(new Manifest(next.required(), shards, next.custom()));

    assertThatThrownBy(() -> reader.refresh()).isInstanceOf(ShardyfusionException.class)
        .satisfies(e -> assertThat(((ShardyfusionException) e).retryable()).isFalse())
        .hasMessageContaining("symbolic link");
    try (Stream<Path> in = Files.list(outside)) {
      assertThat(in).as("nothing created through the link").isEmpty();
    }
    assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(goodRef);
    assertThat(new String(reader.get(7L), StandardCharsets.UTF_8)).isEqualTo("good:7");
  }

  // ---- hostile publishes -------------------------------------------------------------------

  private ManifestFormat formatOf(Manifest m) {
    return ManifestFormats.forManifest(m);
  }

  byte[] encode(Manifest m) {
    return formatOf(m).encode(m);
  }

  /** The same shards under a new run id and a later time, so a refresh sees a new snapshot. */
  Manifest nextRun(Manifest m) {
    BuildMeta r = m.required();
    return new Manifest(new BuildMeta("hostile-" + System.nanoTime(), Instant.now(),
        r.numDbs(), r.s3Prefix(), r.keyCol(), r.sharding(), r.dbPathTemplate(), r.shardPrefix(),
        r.formatVersion(), r.keyEncoding(), r.shardFormat()), m.shards(), m.custom());
  }

  Manifest withNumDbs(Manifest m, int numDbs) {
    BuildMeta r = m.required();
    return new Manifest(new BuildMeta(r.runId(), r.createdAt(), numDbs, r.s3Prefix(),
        r.keyCol(), r.sharding(), r.dbPathTemplate(), r.shardPrefix(), r.formatVersion(),
        r.keyEncoding(), r.shardFormat()), m.shards(), m.custom());
  }

  void publish(Manifest m) {
    String key = SnapshotLayout.manifestKey(m.required().createdAt(), m.runId());
    store.put(key, encode(m), formatOf(m).contentType());
    writePointer(store.url(key), m.runId());
  }

  void publishBytes(byte[] bytes) {
    String run = "hostile-" + System.nanoTime();
    String key = SnapshotLayout.manifestKey(Instant.now(), run);
    store.put(key, bytes, "application/octet-stream");
    writePointer(store.url(key), run);
  }

  void writePointer(String manifestRef, String runId) {
    store.put(SnapshotLayout.CURRENT, ManifestCodec.toJson(new CurrentPointer(manifestRef,
        "application/json", runId, Instant.now(), CurrentPointer.FORMAT_VERSION)),
        ManifestCodec.JSON_CONTENT_TYPE);
  }

  void publishWithUrls(UnaryOperator<String> url) {
    Manifest m = nextRun(good);
    List<ShardMeta> shards = new ArrayList<>();
    for (ShardMeta s : m.shards()) {
      shards.add(new ShardMeta(s.dbId(), url.apply(s.dbUrl()), s.attempt(), s.rowCount(),
          s.dbBytes(), s.minKey(), s.maxKey(), s.files(), s.writerInfo(), s.contentHash(),
          s.checkpointId()));
    }
    publish(new Manifest(m.required(), shards, m.custom()));
  }

  void publishWithFiles(UnaryOperator<ShardFile> file) {
    Manifest m = nextRun(good);
    List<ShardMeta> shards = new ArrayList<>();
    for (ShardMeta s : m.shards()) {
      List<ShardFile> files = new ArrayList<>();
      s.files().forEach(f -> files.add(file.apply(f)));
      shards.add(new ShardMeta(s.dbId(), s.dbUrl(), s.attempt(), s.rowCount(), s.dbBytes(),
          s.minKey(), s.maxKey(), files, s.writerInfo(), s.contentHash(), s.checkpointId()));
    }
    publish(new Manifest(m.required(), shards, m.custom()));
  }

  /**
   * Uploads a copy of shard 0's largest file, changed by {@code damage}, under a new directory,
   * and a manifest whose sizes and checksums match the damaged bytes: the download verifies,
   * opening the shard must fail.
   */
  void publishDamagedShard(java.util.function.Function<byte[], byte[]> damage)
      throws IOException {
    Manifest m = nextRun(good);
    ShardMeta s = m.shards().get(0);
    String oldDir = store.keyOf(s.dbUrl());
    String newDir = oldDir.replace("run_id=" + good.runId(), "run_id=" + m.runId());
    // RocksDB: an SST (the data; other files such as OPTIONS are not read on open)
    ShardFile target = s.files().stream().filter(f -> f.name().endsWith(".sst")).findFirst()
        .orElseGet(() -> s.files().stream().max(java.util.Comparator.comparingLong(
            ShardFile::size)).orElseThrow());
    List<ShardFile> files = new ArrayList<>();
    for (ShardFile f : s.files()) {
      byte[] bytes = store.get(oldDir + "/" + f.name());
      if (f == target) {
        bytes = damage.apply(bytes);
      }
      store.put(newDir + "/" + f.name(), bytes, "application/octet-stream");
      Path probe = tmp.resolve("probe");
      Files.write(probe, bytes);
      files.add(new ShardFile(f.name(), bytes.length,
          f.crc32c() == null ? null : Checksums.crc32c(probe)));
      Files.delete(probe);
    }
    long total = files.stream().mapToLong(ShardFile::size).sum();
    List<ShardMeta> shards = new ArrayList<>(m.shards());
    shards.set(0, new ShardMeta(s.dbId(), store.url(newDir), s.attempt(), s.rowCount(), total,
        s.minKey(), s.maxKey(), files, s.writerInfo(), null, s.checkpointId()));
    publish(new Manifest(m.required(), shards, m.custom()));
  }

  /** A fresh SQLite database file made by {@code sql}, as bytes. */
  static byte[] sqlite(Path tmp, String sql) {
    Path f = tmp.resolve("made-" + System.nanoTime() + ".db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=OFF");
      for (String stmt : sql.split(";")) {
        s.execute(stmt);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    try {
      byte[] bytes = Files.readAllBytes(f);
      Files.delete(f);
      return bytes;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every file under tmp that is neither the store's nor the reader's. */
  private Set<String> filesOutside() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> !p.startsWith(storeDir) && !p.startsWith(localRoot)
              && !p.startsWith(tmp.resolve("build")))
          .map(p -> tmp.relativize(p).toString())
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }
}
