package io.shardyfusion.backend.sqlite;

import io.shardyfusion.errors.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Checks that a shard file has the table lookups need: {@code kv} with a BLOB primary key
 * {@code k} and a BLOB {@code v}, and that its keys are stored as BLOBs (SQLite never matches a
 * TEXT key against a BLOB parameter, so TEXT keys would make every lookup a silent miss). Other
 * tables (e.g. {@code sqlite_stat1} from {@code PRAGMA optimize}) are ignored.
 */
final class SqliteSchemaCheck {
  private SqliteSchemaCheck() {}

  static void check(Connection c, Path file) {
    try (Statement s = c.createStatement()) {
      String kType = null;
      String vType = null;
      boolean kIsKey = false;
      try (ResultSet rs = s.executeQuery("PRAGMA table_info(kv)")) {
        while (rs.next()) {
          String name = rs.getString("name");
          String type = rs.getString("type").toUpperCase(Locale.ROOT);
          if (name.equals("k")) {
            kType = type;
            kIsKey = rs.getInt("pk") == 1;
          } else if (name.equals("v")) {
            vType = type;
          }
        }
      }
      if (kType == null && vType == null) {
        throw invalid(file, "has no kv table");
      }
      if (!"BLOB".equals(kType) || !kIsKey || !"BLOB".equals(vType)) {
        throw invalid(file, "has table kv(k " + kType + (kIsKey ? " PRIMARY KEY" : "")
            + ", v " + vType + "); expected kv (k BLOB PRIMARY KEY, v BLOB NOT NULL)");
      }
      // SQLite orders NULL < numbers < TEXT < BLOB, so any key that is not a BLOB sorts first:
      // one index probe checks them all.
      try (ResultSet rs = s.executeQuery("SELECT typeof(k) FROM kv ORDER BY k LIMIT 1")) {
        if (rs.next() && !rs.getString(1).equals("blob")) {
          throw invalid(file, "stores keys as " + rs.getString(1) + ", not BLOB: lookups with "
              + "encoded keys would never match");
        }
      }
    } catch (SQLException e) {
      throw invalid(file, "cannot be read by SQLite (" + e.getMessage() + ")");
    }
  }

  private static StorageException invalid(Path file, String problem) {
    return new StorageException("SQLite shard " + file + " " + problem + "; the snapshot cannot "
        + "be served from it: republish it with a shardyfusion writer", false);
  }
}
