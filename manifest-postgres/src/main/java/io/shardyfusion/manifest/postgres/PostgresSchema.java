package io.shardyfusion.manifest.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The two tables of a {@link PostgresManifestStore}, named from the table prefix, e.g.
 * {@code shardyfusion_manifests} and {@code shardyfusion_pointers}. Every dataset shares them.
 *
 * <ul>
 *   <li>{@code <prefix>manifests}: one row per manifest, keyed by (dataset, name); the JSON
 *       bytes exactly as the writer produced them, plus the columns {@code listManifests} shows,
 *       so listing never parses manifests.
 *   <li>{@code <prefix>pointers}: append-only; each row moved a dataset's current pointer, and
 *       the row with the highest id is current. Old rows are the history of publishes and
 *       rollbacks. No foreign key: deleting an old manifest keeps the history of pointer moves.
 * </ul>
 *
 * <pre>{@code
 * PostgresSchema schema = new PostgresSchema("shardyfusion_");
 * schema.ensure(connection);   // creates what is missing; safe to race
 * }</pre>
 */
final class PostgresSchema {
  // Advisory lock keys are hash pairs: (this, prefix) guards DDL, (prefix, dataset) a dataset.
  private static final String SCHEMA_LOCK_CLASS = "shardyfusion.schema";

  private final String manifests;
  private final String pointers;
  private final String prefix;

  PostgresSchema(String tablePrefix) {
    this.prefix = tablePrefix;
    this.manifests = tablePrefix + "manifests";
    this.pointers = tablePrefix + "pointers";
  }

  String manifests() {
    return manifests;
  }

  String pointers() {
    return pointers;
  }

  /**
   * Takes the transaction-scoped lock that serializes pointer moves and deletes of
   * {@code dataset}, so the pointer with the highest id is also the one committed last, and a
   * manifest cannot become current while it is being deleted.
   */
  void lockDataset(Connection c, String dataset) throws SQLException {
    lock(c, prefix, dataset);
  }

  List<String> ddl() {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + manifests + " ("
            + "dataset text NOT NULL, "
            + "name text NOT NULL, "
            + "run_id text NOT NULL, "
            + "created_at timestamptz NOT NULL, "
            // timestamptz keeps microseconds; the manifest's Instant may have nanoseconds.
            + "created_at_nanos integer NOT NULL, "
            + "num_dbs integer NOT NULL, "
            + "shard_count integer NOT NULL, "
            + "total_rows bigint NOT NULL, "
            + "manifest bytea NOT NULL, "
            + "published_at timestamptz NOT NULL DEFAULT now(), "
            + "PRIMARY KEY (dataset, name))",
        "CREATE TABLE IF NOT EXISTS " + pointers + " ("
            + "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            + "dataset text NOT NULL, "
            + "manifest_name text NOT NULL, "
            + "run_id text NOT NULL, "
            + "updated_at timestamptz NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + pointers + "_dataset_id_idx ON " + pointers
            + " (dataset, id)");
  }

  /**
   * Creates the tables unless both exist. Concurrent first users would race inside CREATE TABLE
   * IF NOT EXISTS (it is not atomic against itself), so the DDL runs under a transaction-scoped
   * advisory lock. Checking first lets users without CREATE privilege use existing tables.
   * Run it in a transaction of its own: DDL locks held while waiting for a dataset's lock
   * would deadlock with writers.
   */
  void ensure(Connection c) throws SQLException {
    ensureTables(c, SCHEMA_LOCK_CLASS, prefix, List.of(manifests, pointers), ddl());
  }

  /**
   * Runs {@code ddl} unless every one of {@code tables} exists, under the advisory lock
   * ({@code lockClass}, {@code lockKey}); shared by both layouts.
   */
  static void ensureTables(Connection c, String lockClass, String lockKey, List<String> tables,
      List<String> ddl) throws SQLException {
    if (exist(c, tables)) {
      return;
    }
    lock(c, lockClass, lockKey);
    // Whoever held the lock before may have created them; CREATE INDEX IF NOT EXISTS would
    // still lock the table against writers, so skip the DDL entirely.
    if (exist(c, tables)) {
      return;
    }
    try (Statement s = c.createStatement()) {
      for (String sql : ddl) {
        s.execute(sql);
      }
    }
  }

  /** A transaction-scoped advisory lock on the pair ({@code key1}, {@code key2}). */
  static void lock(Connection c, String key1, String key2) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))")) {
      ps.setString(1, key1);
      ps.setString(2, key2);
      ps.execute();
    }
  }

  private static boolean exist(Connection c, List<String> tables) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT bool_and(to_regclass(t) IS NOT NULL) FROM unnest(?::text[]) AS t")) {
      ps.setArray(1, c.createArrayOf("text", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
