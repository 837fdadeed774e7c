package io.shardyfusion.manifest.sqlite;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestLimits;
import io.shardyfusion.manifest.PythonManifestRows;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteLimits;

/**
 * The Python system's manifest, {@code format_version} 4: a serialized SQLite database with a
 * one-row {@code build_meta} table and a {@code shards} table (one row per non-empty shard).
 * Decoded in memory (the bytes are handed to SQLite's deserialize; nothing touches the disk).
 *
 * <p>The rows, this project's extension in {@code custom["shardyfusion_jvm"]} and validation of
 * the values are {@link PythonManifestRows}' (shared with the PostgreSQL store's Python layout);
 * what only an untrusted SQLite file needs (size bound, connection limits, schema checks, cells
 * read by storage class) is this class's. A manifest
 * without the extension has SQLite shards of one {@code shard.db} each, verified by size (the
 * Python manifest records no checksum).
 */
public final class SqliteManifestFormat implements ManifestFormat {
  /** The only manifest version the Python system's readers accept. */
  public static final int FORMAT_VERSION = PythonManifestRows.FORMAT_VERSION;
  /** The custom field this project's extensions live under. */
  public static final String EXTENSION_KEY = PythonManifestRows.EXTENSION_KEY;
  private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Override
  public String name() {
    return "sqlite-v4";
  }

  @Override
  public int formatVersion() {
    return FORMAT_VERSION;
  }

  @Override
  public String contentType() {
    return "application/x-sqlite3";
  }

  @Override
  public boolean recognizes(byte[] bytes) {
    return bytes.length >= MAGIC.length
        && Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC);
  }

  // ---- decode ------------------------------------------------------------------------------

  /**
   * Decodes untrusted bytes: a manifest over {@link ManifestLimits#maxManifestBytes()} is
   * refused before SQLite sees it; the database lives in memory only (nothing on disk, no
   * extension loading, no ATTACH), the connection is query-only with an untrusted schema,
   * values are limited to the manifest's size, statements have a step budget, and a schema that
   * would make SQLite compute anything (views, virtual tables, generated columns) is refused
   * before any row is read. Only SELECTs run, so triggers never fire. Cells are read by storage
   * class (an INTEGER column holding TEXT, REAL or NULL is an error, 64-bit values reach the
   * range checks unwrapped), and shard rows are counted before any is materialised.
   */
  @Override
  public Manifest decode(byte[] bytes, String source) {
    ManifestLimits.checkSize(bytes.length, ManifestLimits.maxManifestBytes(), "manifest", source);
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
      try {
        ((SQLiteConnection) c).deserialize("main", bytes);
      } catch (SQLException e) {
        throw bad(source, "is not a readable SQLite database (" + e.getMessage() + ")");
      }
      harden((SQLiteConnection) c, bytes.length);
      requireTables(c, source);
      PythonManifestRows.Build build;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT run_id, created_at, num_dbs, s3_prefix, key_col,"
              + " sharding, db_path_template, shard_prefix, format_version, key_encoding, custom"
              + " FROM build_meta")) {
        if (!rs.next()) {
          throw bad(source, "build_meta has no row");
        }
        String at = "build_meta";
        build = new PythonManifestRows.Build(text(rs, "run_id", source, at),
            parseTime(text(rs, "created_at", source, at), source),
            integer(rs, "num_dbs", source, at), text(rs, "s3_prefix", source, at),
            text(rs, "key_col", source, at), text(rs, "sharding", source, at),
            text(rs, "db_path_template", source, at), text(rs, "shard_prefix", source, at),
            integer(rs, "format_version", source, at), text(rs, "key_encoding", source, at),
            text(rs, "custom", source, at));
        if (rs.next()) {
          throw bad(source, "build_meta has more than one row");
        }
      }
      PythonManifestRows.checkBuild(build, PythonManifestRows.Naming.SQLITE, source);
      // Counted before any row is materialised: a manifest cannot make a reader hold more rows
      // than it has shards.
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM shards")) {
        PythonManifestRows.checkShardRowCount(build, rs.next() ? rs.getLong(1) : 0,
            PythonManifestRows.Naming.SQLITE, source);
      }
      List<PythonManifestRows.Shard> shards = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT db_id, db_url, attempt, row_count, db_bytes,"
              + " min_key, max_key, checkpoint_id, writer_info FROM shards ORDER BY db_id")) {
        while (rs.next()) {
          long dbId = integer(rs, "db_id", source, "shards");
          String at = "shards row db_id=" + dbId;
          shards.add(new PythonManifestRows.Shard(dbId, text(rs, "db_url", source, at),
              integer(rs, "attempt", source, at), integer(rs, "row_count", source, at),
              integer(rs, "db_bytes", source, at), text(rs, "min_key", source, at),
              text(rs, "max_key", source, at), text(rs, "checkpoint_id", source, at),
              text(rs, "writer_info", source, at)));
        }
      }
      return PythonManifestRows.fromRows(new PythonManifestRows.Rows(build, shards),
          PythonManifestRows.Naming.SQLITE, source);
    } catch (SQLException e) {
      throw bad(source, "cannot be read: " + e.getMessage());
    }
  }

  /**
   * What an untrusted database may make SQLite do: no ATTACH, no value larger than the file
   * itself, no schema functions with side effects, no writes; and a bound on the work any
   * statement does (a malicious schema that slipped past {@link #requireTables} still stops).
   */
  private static void harden(SQLiteConnection c, int size) throws SQLException {
    c.setLimit(SQLiteLimits.SQLITE_LIMIT_ATTACHED, 0);
    c.setLimit(SQLiteLimits.SQLITE_LIMIT_LENGTH, Math.max(size, 1 << 16));
    c.setLimit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH, 1 << 16);
    c.setLimit(SQLiteLimits.SQLITE_LIMIT_TRIGGER_DEPTH, 1);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA trusted_schema = OFF");
      s.execute("PRAGMA query_only = ON");
    }
    // ~1000 VM steps per byte of manifest is far more than reading every row takes.
    long budget = Math.max(10_000_000L, 1000L * size);
    long[] steps = {0};
    ProgressHandler.setHandler(c, 1000, new ProgressHandler() {
      @Override
      protected int progress() {
        steps[0] += 1000;
        return steps[0] > budget ? 1 : 0; // non-zero interrupts the statement
      }
    });
  }

  /**
   * build_meta and shards must be ordinary tables whose columns are stored, not computed: a
   * view, a virtual table or a generated column would make SQLite evaluate what the file says.
   */
  private static void requireTables(Connection c, String source) throws SQLException {
    Map<String, String> tables = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, sql FROM sqlite_schema WHERE type = 'table'")) {
      while (rs.next()) {
        tables.put(rs.getString(1), rs.getString(2));
      }
    }
    if (!tables.keySet().containsAll(List.of("build_meta", "shards"))) {
      throw bad(source, "is a SQLite database without the manifest tables build_meta and "
          + "shards (it has " + tables.keySet() + "): not a shardyfusion manifest");
    }
    for (String table : List.of("build_meta", "shards")) {
      String sql = tables.get(table);
      if (sql == null || !sql.regionMatches(true, 0, "CREATE TABLE", 0, 12)) {
        throw bad(source, "table " + table + " is a virtual table or not an ordinary table ("
            + (sql == null ? "no SQL" : sql.substring(0, Math.min(80, sql.length())))
            + "): not a shardyfusion manifest");
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA table_xinfo(" + table + ")")) {
        while (rs.next()) {
          if (rs.getInt("hidden") != 0) {
            throw bad(source, "table " + table + " has a generated or hidden column '"
                + rs.getString("name") + "': a manifest stores its values, it does not "
                + "compute them; not a shardyfusion manifest");
          }
        }
      }
    }
  }

  /** An INTEGER cell; any other storage class (TEXT, REAL, NULL, BLOB) is an error. */
  private static long integer(ResultSet rs, String column, String source, String at)
      throws SQLException {
    Object v = rs.getObject(column);
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw bad(source, at + "." + column + " is " + describeCell(v) + "; expected an INTEGER");
  }

  /**
   * A TEXT cell, or null for NULL (refused, naming the column, by {@link PythonManifestRows}
   * where the column is required); INTEGER, REAL or BLOB is an error.
   */
  private static String text(ResultSet rs, String column, String source, String at)
      throws SQLException {
    Object v = rs.getObject(column);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw bad(source, at + "." + column + " is " + describeCell(v) + "; expected TEXT");
  }

  private static String describeCell(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof byte[] b) {
      return "a BLOB of " + b.length + " bytes";
    }
    String text = String.valueOf(v);
    return (v instanceof String ? "TEXT '" : v instanceof Double ? "REAL '" : "'")
        + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
  }

  private static Instant parseTime(String text, String source) {
    if (text == null) {
      return null; // refused, naming the column, by PythonManifestRows
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw bad(source, "build_meta.created_at '" + text + "' is not an ISO-8601 UTC time");
    }
  }

  private static ManifestParseException bad(String source, String problem) {
    return new ManifestParseException("malformed manifest data at " + source + ": the SQLite "
        + "manifest " + problem);
  }

  // ---- encode ------------------------------------------------------------------------------

  @Override
  public byte[] encode(Manifest manifest) {
    // SQLite's INTEGER holds any attempt number.
    PythonManifestRows.Rows rows = PythonManifestRows.toRows(manifest, Long.MAX_VALUE);
    PythonManifestRows.Build b = rows.build();
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA page_size=4096");
        s.execute("CREATE TABLE build_meta (run_id TEXT NOT NULL, created_at TEXT NOT NULL, "
            + "num_dbs INTEGER NOT NULL, s3_prefix TEXT NOT NULL, key_col TEXT NOT NULL, "
            + "sharding TEXT NOT NULL, db_path_template TEXT NOT NULL, "
            + "shard_prefix TEXT NOT NULL, format_version INTEGER NOT NULL, "
            + "key_encoding TEXT NOT NULL, custom TEXT NOT NULL DEFAULT '{}')");
        s.execute("CREATE TABLE shards (db_id INTEGER NOT NULL PRIMARY KEY, db_url TEXT, "
            + "attempt INTEGER NOT NULL, row_count INTEGER NOT NULL, db_bytes INTEGER NOT NULL, "
            + "min_key TEXT, max_key TEXT, checkpoint_id TEXT, "
            + "writer_info TEXT NOT NULL DEFAULT '{}')");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO build_meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, b.runId());
        ps.setString(2, MICROS.format(b.createdAt()));
        ps.setLong(3, b.numDbs());
        ps.setString(4, b.s3Prefix());
        ps.setString(5, b.keyCol());
        ps.setString(6, b.shardingJson());
        ps.setString(7, b.dbPathTemplate());
        ps.setString(8, b.shardPrefix());
        ps.setLong(9, b.formatVersion());
        ps.setString(10, b.keyEncoding());
        ps.setString(11, b.customJson());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO shards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (PythonManifestRows.Shard s : rows.shards()) {
          ps.setLong(1, s.dbId());
          ps.setString(2, s.dbUrl());
          ps.setLong(3, s.attempt());
          ps.setLong(4, s.rowCount());
          ps.setLong(5, s.dbBytes());
          ps.setString(6, s.minKeyJson());
          ps.setString(7, s.maxKeyJson());
          ps.setString(8, s.checkpointId());
          ps.setString(9, s.writerInfoJson());
          ps.executeUpdate();
        }
      }
      return ((SQLiteConnection) c).serialize("main");
    } catch (SQLException e) {
      throw new ConfigValidationException("cannot encode the manifest of run "
          + manifest.runId() + " as a SQLite manifest: " + e.getMessage(), e);
    }
  }
}
