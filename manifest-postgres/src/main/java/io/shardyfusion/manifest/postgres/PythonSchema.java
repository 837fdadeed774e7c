package io.shardyfusion.manifest.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Python system's three tables (its {@code db_manifest_store.PostgresManifestStore}), named
 * as it names them: {@code <tableName>_builds}, {@code <tableName>_shards} and the pointer
 * table, with its DDL statement for statement, so that whichever system creates them, the other
 * finds what it expects.
 *
 * <ul>
 *   <li>{@code _builds}: one row per published run, keyed by {@code run_id}; the manifest's
 *       {@code required} fields, {@code sharding} and {@code custom} as JSONB.
 *   <li>{@code _shards}: one row per non-empty shard, keyed by (run_id, db_id), referencing
 *       its build.
 *   <li>pointer: append-only ({@code updated_at}, {@code manifest_ref} = a run id); the row
 *       with the newest {@code updated_at} is current.
 * </ul>
 *
 * <pre>{@code
 * PythonSchema schema = new PythonSchema("shardyfusion_manifests", "shardyfusion_pointer");
 * schema.ensure(connection);   // creates what is missing with the Python DDL; safe to race
 * }</pre>
 */
final class PythonSchema {
  private static final String SCHEMA_LOCK_CLASS = "shardyfusion.python-schema";
  private static final String MOVE_LOCK_CLASS = "shardyfusion.python-pointer";

  private final String builds;
  private final String shards;
  private final String pointer;

  PythonSchema(String tableName, String pointerTable) {
    this.builds = tableName + "_builds";
    this.shards = tableName + "_shards";
    this.pointer = pointerTable;
  }

  String builds() {
    return builds;
  }

  String shards() {
    return shards;
  }

  String pointer() {
    return pointer;
  }

  /** The Python system's DDL, in the order it runs it. */
  List<String> ddl() {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + builds + " ("
            + "  run_id           TEXT PRIMARY KEY,"
            + "  created_at       TIMESTAMPTZ NOT NULL DEFAULT NOW(),"
            + "  num_dbs          INTEGER NOT NULL,"
            + "  s3_prefix        TEXT NOT NULL,"
            + "  key_col          TEXT NOT NULL DEFAULT '_key',"
            + "  db_path_template TEXT NOT NULL DEFAULT 'db={db_id:05d}',"
            + "  shard_prefix     TEXT NOT NULL DEFAULT 'shards',"
            + "  key_encoding     TEXT NOT NULL DEFAULT 'u64be',"
            + "  sharding         JSONB NOT NULL,"
            + "  custom           JSONB NOT NULL DEFAULT '{}'"
            + ")",
        "CREATE TABLE IF NOT EXISTS " + shards + " ("
            + "  run_id        TEXT NOT NULL REFERENCES " + builds + "(run_id),"
            + "  db_id         INTEGER NOT NULL,"
            + "  db_url        TEXT,"
            + "  attempt       INTEGER NOT NULL DEFAULT 0,"
            + "  row_count     INTEGER NOT NULL DEFAULT 0,"
            + "  db_bytes      BIGINT  NOT NULL DEFAULT 0,"
            + "  checkpoint_id TEXT,"
            + "  min_key       JSONB,"
            + "  max_key       JSONB,"
            + "  writer_info   JSONB,"
            + "  PRIMARY KEY (run_id, db_id)"
            + ")",
        "CREATE TABLE IF NOT EXISTS " + pointer + " ("
            + "  updated_at    TIMESTAMPTZ NOT NULL DEFAULT NOW(),"
            + "  manifest_ref  TEXT NOT NULL"
            + ")",
        "CREATE INDEX IF NOT EXISTS idx_" + pointer + "_updated_at "
            + "ON " + pointer + " (updated_at DESC)");
  }

  /**
   * Creates the tables unless all three exist, under a transaction-scoped advisory lock
   * (concurrent CREATE TABLE IF NOT EXISTS race with each other). Checking first lets users
   * without CREATE privilege use tables the Python system created.
   */
  void ensure(Connection c) throws SQLException {
    PostgresSchema.ensureTables(c, SCHEMA_LOCK_CLASS, builds, List.of(builds, shards, pointer),
        ddl());
  }

  /**
   * The builds table's columns, lower case. A later Python version may add some (e.g. a
   * {@code format_version}); the store reads those it knows.
   */
  Set<String> buildColumns(Connection c) throws SQLException {
    Set<String> out = new TreeSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + builds + " LIMIT 0")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        out.add(md.getColumnName(i).toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  /**
   * Serializes this project's pointer moves and deletes on these tables, so that each move's
   * {@code updated_at} can be made later than every earlier one. (The Python writer takes no
   * lock; its rows carry its transaction's start time.)
   */
  void lockMoves(Connection c) throws SQLException {
    PostgresSchema.lock(c, MOVE_LOCK_CLASS, pointer);
  }
}
