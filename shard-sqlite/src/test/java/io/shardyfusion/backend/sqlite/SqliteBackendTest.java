package io.shardyfusion.backend.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.backend.ShardBackends;
import io.shardyfusion.backend.ShardBuilder;
import io.shardyfusion.backend.ShardIterator;
import io.shardyfusion.backend.ShardReadOptions;
import io.shardyfusion.backend.ShardReader;
import io.shardyfusion.backend.ShardReaders;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.storage.Checksums;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite backend against real SQLite: files checked through the plain JDBC driver (none of
 * the backend's code), lookups through the backend, and every kind of damaged file refused.
 */
class SqliteBackendTest {
  @TempDir Path tmp;

  private static byte[] key(long k) {
    return ByteBuffer.allocate(8).putLong(k).array();
  }

  private static byte[] value(long k, int size) {
    byte[] v = new byte[size];
    for (int i = 0; i < size; i++) {
      v[i] = (byte) (k + i);
    }
    return v;
  }

  private Path build(SqliteBackend backend, String name, long rows, int valueSize) {
    Path dir = tmp.resolve(name);
    try (ShardBuilder b = backend.newBuilder(3, dir)) {
      for (long k = 0; k < rows; k++) {
        b.add(key(k), value(k, valueSize));
      }
      List<ShardFile> files = b.finish();
      assertThat(files).singleElement().satisfies(f -> {
        assertThat(f.name()).isEqualTo("shard.db");
        assertThat(f.size()).isEqualTo(size(dir.resolve("shard.db")));
        assertThat(f.crc32c()).isEqualTo(Checksums.crc32c(dir.resolve("shard.db")));
      });
    }
    return dir;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Connection plain(Path db) throws Exception {
    return new org.sqlite.JDBC().connect("jdbc:sqlite:" + db, new java.util.Properties());
  }

  private static Object scalar(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getObject(1);
    }
  }

  @Test
  void writesThePythonSystemsShardFile() throws Exception {
    Path dir = build(SqliteBackend.defaults(), "s", 20_000, 100);
    Path db = dir.resolve("shard.db");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
        .containsExactly("shard.db");
    byte[] header = new byte[100];
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "r")) {
      f.readFully(header);
    }
    assertThat(header[18]).as("write version: rollback journal, never WAL").isEqualTo((byte) 1);
    assertThat(header[19]).as("read version").isEqualTo((byte) 1);
    assertThat(header[20]).as("reserved bytes per page").isZero();
    assertThat(((header[16] & 0xff) << 8) | (header[17] & 0xff)).isEqualTo(4096);
    try (Connection c = plain(db)) {
      assertThat(scalar(c, "SELECT sql FROM sqlite_schema WHERE name = 'kv'"))
          .isEqualTo("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
      assertThat(scalar(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"))
          .isEqualTo(1);
      assertThat(scalar(c, "SELECT count(*) FROM kv")).isEqualTo(20_000);
      assertThat(scalar(c, "SELECT count(*) FROM kv WHERE typeof(k) <> 'blob' "
          + "OR typeof(v) <> 'blob'")).isEqualTo(0);
      assertThat(scalar(c, "PRAGMA page_size")).isEqualTo(4096);
      assertThat(scalar(c, "PRAGMA user_version")).isEqualTo(0);
      assertThat(scalar(c, "PRAGMA encoding")).isEqualTo("UTF-8");
      assertThat(scalar(c, "PRAGMA integrity_check")).isEqualTo("ok");
      try (PreparedStatement ps = c.prepareStatement("SELECT v FROM kv WHERE k = ?")) {
        ps.setBytes(1, key(12_345));
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getBytes(1)).isEqualTo(value(12_345, 100));
        }
      }
    }
  }

  @Test
  void servesGetsMultiGetsAndASortedScanFromManyThreads() throws Exception {
    Path dir = build(SqliteBackend.defaults(), "s", 30_000, 40);
    SqliteBackend backend = (SqliteBackend) ShardBackends.forName("sqlite");
    try (ShardReaders readers = backend.openReaders(ShardReadOptions.defaults());
        ShardReader shard = readers.open(dir)) {
      assertThat(shard.get(key(29_999))).isEqualTo(value(29_999, 40));
      assertThat(shard.get(key(30_000))).isNull();
      assertThat(shard.get(new byte[0])).isNull();
      assertThat(shard.multiGet(List.of(key(1), key(-1), key(2))))
          .containsExactly(value(1, 40), null, value(2, 40));

      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Integer>> checks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int start = t;
          checks.add(pool.submit(() -> {
            int ok = 0;
            for (long k = start; k < 30_000; k += 8) {
              if (java.util.Arrays.equals(shard.get(key(k)), value(k, 40))) {
                ok++;
              }
            }
            return ok;
          }));
        }
        int total = 0;
        for (Future<Integer> f : checks) {
          total += f.get();
        }
        assertThat(total).isEqualTo(30_000);
      } finally {
        pool.shutdownNow();
      }

      long n = 0;
      try (ShardIterator it = shard.iterator()) {
        while (it.next()) {
          assertThat(it.key()).isEqualTo(key(n));
          n++;
        }
      }
      assertThat(n).isEqualTo(30_000);
    }
  }

  @Test
  void autoPageSizeFollowsTheValuesAsThePythonWriterDoes() throws Exception {
    // 1500-byte values + 8-byte keys + 12 > 1002 (4 KiB pages' inline limit) -> 8 KiB pages.
    Path big = build(SqliteBackend.of(PageSize.auto()), "big", 2_000, 1500);
    Path small = build(SqliteBackend.of(PageSize.auto()), "small", 2_000, 100);
    Path fixed = build(SqliteBackend.of(PageSize.of(16384)), "fixed", 100, 100);
    try (Connection b = plain(big.resolve("shard.db"));
        Connection s = plain(small.resolve("shard.db"));
        Connection f = plain(fixed.resolve("shard.db"))) {
      assertThat(scalar(b, "PRAGMA page_size")).isEqualTo(8192);
      assertThat(scalar(b, "SELECT count(*) FROM kv")).isEqualTo(2_000);
      assertThat(scalar(b, "PRAGMA integrity_check")).isEqualTo("ok");
      assertThat(scalar(s, "PRAGMA page_size")).isEqualTo(4096);
      assertThat(scalar(f, "PRAGMA page_size")).isEqualTo(16384);
    }
    assertThat(Files.exists(big.resolve("shard.db-journal"))).isFalse();
    try (ShardReaders readers = SqliteBackend.defaults().openReaders(ShardReadOptions.defaults());
        ShardReader shard = readers.open(big)) {
      assertThat(shard.get(key(1_999))).isEqualTo(value(1_999, 1500));
    }
  }

  @Test
  void pageSizeRuleMatchesSqlitesInlineLimits() {
    assertThat(PageSize.inlinePayloadLimit(4096)).isEqualTo(1002);
    assertThat(PageSize.inlinePayloadLimit(8192)).isEqualTo(2030);
    assertThat(PageSize.inlinePayloadLimit(16384)).isEqualTo(4086);
    assertThat(PageSize.inlinePayloadLimit(32768)).isEqualTo(8198);
    assertThat(PageSize.inlinePayloadLimit(65536)).isEqualTo(16422);
    assertThat(PageSize.recommend(926, 64)).isEqualTo(4096);
    assertThat(PageSize.recommend(927, 64)).isEqualTo(8192);
    assertThat(PageSize.recommend(1500, 64)).isEqualTo(8192);
    assertThat(PageSize.recommend(4000, 64)).isEqualTo(16384);
    assertThat(PageSize.recommend(8000, 64)).isEqualTo(32768);
    assertThat(PageSize.recommend(12000, 64)).isEqualTo(65536);
    assertThat(PageSize.recommend(1 << 20, 8)).isEqualTo(65536);
    assertThat(PageSize.parse("auto").isAuto()).isTrue();
    assertThat(PageSize.parse("8192")).isEqualTo(PageSize.of(8192));
    assertThatThrownBy(() -> PageSize.of(3000)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("SQLite page size 3000 is not supported; use one of "
            + "[4096, 8192, 16384, 32768, 65536] or auto");
    assertThatThrownBy(() -> PageSize.parse("big")).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("'big'");
  }

  // ---- damaged or foreign files: a clear, non-retryable error naming the file

  private void assertRefused(Path dir, String... fragments) {
    try (ShardReaders readers = SqliteBackend.defaults().openReaders(ShardReadOptions.defaults())) {
      assertThatThrownBy(() -> readers.open(dir))
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).as("retryable").isFalse())
          .hasMessageContaining(dir.resolve("shard.db").toString())
          .satisfies(e -> {
            for (String f : fragments) {
              assertThat(e.getMessage()).contains(f);
            }
          });
    }
  }

  private Path sqliteFile(String name, String... ddl) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (Connection c = plain(dir.resolve("shard.db")); Statement s = c.createStatement()) {
      for (String sql : ddl) {
        s.execute(sql);
      }
    }
    return dir;
  }

  @Test
  void aFileWithoutAKvTableIsRefused() throws Exception {
    assertRefused(sqliteFile("nokv", "CREATE TABLE other (a)"), "has no kv table");
  }

  @Test
  void textKeysAreRefusedBecauseBlobLookupsWouldNeverMatchThem() throws Exception {
    assertRefused(sqliteFile("textdecl",
        "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID",
        "INSERT INTO kv VALUES ('a', x'01')"), "kv(k TEXT PRIMARY KEY, v BLOB)");
    assertRefused(sqliteFile("textstored",
        "CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID",
        "INSERT INTO kv VALUES (x'ff', x'01')", "INSERT INTO kv VALUES ('abc', x'02')"),
        "stores keys as text, not BLOB");
  }

  @Test
  void aTruncatedFileIsRefusedBeforeAnyLookup() throws Exception {
    Path dir = build(SqliteBackend.defaults(), "trunc", 5_000, 100);
    Path db = dir.resolve("shard.db");
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(f.length() - 4096);
    }
    assertRefused(dir, "but its header counts", "truncated");
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    assertRefused(dir, "not a whole number of its 4096-byte pages");
  }

  @Test
  void aPageSizeTheFileContradictsIsRefused() throws Exception {
    Path dir = build(SqliteBackend.defaults(), "ps", 5_000, 100);
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("shard.db").toFile(), "rw")) {
      f.seek(16);
      f.write(new byte[] {(byte) 0x30, 0}); // 12288: not a power of two
    }
    assertRefused(dir, "has page size 12288 in its header");
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("shard.db").toFile(), "rw")) {
      f.seek(16);
      f.write(new byte[] {(byte) 0x80, 0}); // 32768: the file is not a multiple of it
    }
    assertRefused(dir, "not a whole number of its 32768-byte pages");
  }

  @Test
  void somethingElseThanSqliteIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("json"));
    Files.write(dir.resolve("shard.db"), "{\"not\": \"sqlite\"}".repeat(20)
        .getBytes(StandardCharsets.UTF_8));
    assertRefused(dir, "is not a SQLite database");
    assertRefused(Files.createDirectories(tmp.resolve("empty")), "has no shard.db");
  }

  @Test
  void aBuilderClosedBeforeFinishLeavesNothing() {
    Path dir = tmp.resolve("abandoned");
    try (ShardBuilder b = SqliteBackend.defaults().newBuilder(0, dir)) {
      b.add(key(1), value(1, 10));
    }
    assertThat(dir.resolve("shard.db")).doesNotExist();
  }
}
