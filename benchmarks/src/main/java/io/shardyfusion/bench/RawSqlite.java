package io.shardyfusion.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * The raw SQLite limit a SQLite shard build is measured against: sqlite-jdbc inserting keys in
 * order into one {@code kv} table, one transaction, batched, no journal, no fsync: the fastest
 * the driver writes this table, with none of the writer's routing, sorting or checks.
 */
final class RawSqlite {
  private RawSqlite() {}

  static double sortedInsertRate(Path file, long rows, int valueSize) throws Exception {
    byte[] value = new byte[valueSize];
    Files.deleteIfExists(file);
    long t0 = System.nanoTime();
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=OFF");
        s.execute("PRAGMA synchronous=OFF");
        s.execute("PRAGMA locking_mode=EXCLUSIVE");
        s.execute("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
      }
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO kv (k, v) VALUES (?, ?)")) {
        for (long i = 0; i < rows; i++) {
          byte[] key = new byte[8];
          for (int b = 0; b < 8; b++) {
            key[b] = (byte) (i >>> (56 - 8 * b));
          }
          BenchData.value(i, value);
          ps.setBytes(1, key);
          ps.setBytes(2, value.clone());
          ps.addBatch();
          if ((i & 511) == 511) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    Files.deleteIfExists(file);
    return rows / secs;
  }
}
