package io.shardyfusion.manifest.sqlite;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
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
import java.util.Set;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * The Python system's manifest, {@code format_version} 4: a serialized SQLite database with a
 * one-row {@code build_meta} table and a {@code shards} table (one row per non-empty shard).
 * Decoded in memory (the bytes are handed to SQLite's deserialize; nothing touches the disk).
 *
 * <p>The rows, this project's extension in {@code custom["shardyfusion_jvm"]} and validation are
 * {@link PythonManifestRows}' (shared with the PostgreSQL store's Python layout). A manifest
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

  @Override
  public Manifest decode(byte[] bytes, String source) {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
      try {
        ((SQLiteConnection) c).deserialize("main", bytes);
      } catch (SQLException e) {
        throw bad(source, "is not a readable SQLite database (" + e.getMessage() + ")");
      }
      requireTables(c, source);
      PythonManifestRows.Build build;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT run_id, created_at, num_dbs, s3_prefix, key_col,"
              + " sharding, db_path_template, shard_prefix, format_version, key_encoding, custom"
              + " FROM build_meta")) {
        if (!rs.next()) {
          throw bad(source, "build_meta has no row");
        }
        build = new PythonManifestRows.Build(rs.getString("run_id"),
            parseTime(rs.getString("created_at"), source), rs.getInt("num_dbs"),
            rs.getString("s3_prefix"), rs.getString("key_col"), rs.getString("sharding"),
            rs.getString("db_path_template"), rs.getString("shard_prefix"),
            rs.getInt("format_version"), rs.getString("key_encoding"), rs.getString("custom"));
        if (rs.next()) {
          throw bad(source, "build_meta has more than one row");
        }
      }
      List<PythonManifestRows.Shard> shards = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT db_id, db_url, attempt, row_count, db_bytes,"
              + " min_key, max_key, checkpoint_id, writer_info FROM shards ORDER BY db_id")) {
        while (rs.next()) {
          shards.add(new PythonManifestRows.Shard(rs.getInt("db_id"), rs.getString("db_url"),
              rs.getLong("attempt"), rs.getLong("row_count"), rs.getLong("db_bytes"),
              rs.getString("min_key"), rs.getString("max_key"), rs.getString("checkpoint_id"),
              rs.getString("writer_info")));
        }
      }
      return PythonManifestRows.fromRows(new PythonManifestRows.Rows(build, shards),
          PythonManifestRows.Naming.SQLITE, source);
    } catch (SQLException e) {
      throw bad(source, "cannot be read: " + e.getMessage());
    }
  }

  private static void requireTables(Connection c, String source) throws SQLException {
    Set<String> tables = new TreeSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table'")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    if (!tables.containsAll(List.of("build_meta", "shards"))) {
      throw bad(source, "is a SQLite database without the manifest tables build_meta and "
          + "shards (it has " + tables + "): not a shardyfusion manifest");
    }
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
        ps.setInt(3, b.numDbs());
        ps.setString(4, b.s3Prefix());
        ps.setString(5, b.keyCol());
        ps.setString(6, b.shardingJson());
        ps.setString(7, b.dbPathTemplate());
        ps.setString(8, b.shardPrefix());
        ps.setInt(9, b.formatVersion());
        ps.setString(10, b.keyEncoding());
        ps.setString(11, b.customJson());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO shards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (PythonManifestRows.Shard s : rows.shards()) {
          ps.setInt(1, s.dbId());
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
