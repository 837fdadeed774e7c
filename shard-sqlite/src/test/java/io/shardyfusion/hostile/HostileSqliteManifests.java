package io.shardyfusion.hostile;

import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.ShardingMeta;
import io.shardyfusion.manifest.sqlite.SqliteManifestFormat;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * The hostile SQLite manifests (the Python system's format_version 4), generated from one valid
 * manifest by SQL run against its deserialized copy: wrong values, wrong types, wrong schema
 * (views, virtual tables, generated columns, tables without the key), truncated bytes.
 */
public final class HostileSqliteManifests {
  public static final String PREFIX = "s3://bucket/snapshots/py";
  static final String RUN = "5b63aa0d0e0f4a1b9c8d7e6f5a4b3c2d";

  /** One hostile input: category, name, bytes, a fragment of the expected error. */
  public record Case(String category, String name, byte[] bytes, String expected) {
    @Override
    public String toString() {
      return category + "/" + name;
    }
  }

  private static final List<Case> CASES = new ArrayList<>();

  private HostileSqliteManifests() {}

  /** Two SQLite shards of four, as the Python writer lays them out. */
  public static Manifest valid() {
    BuildMeta required = new BuildMeta(RUN, Instant.parse("2026-12-01T20:49:51.172970Z"), 4,
        PREFIX, "_key", ShardingMeta.of(ShardingSpec.hash()), BuildMeta.DB_PATH_TEMPLATE,
        "shards", SqliteManifestFormat.FORMAT_VERSION, KeyEncoding.U64BE.wireName(), "sqlite");
    List<ShardMeta> shards = new ArrayList<>();
    for (int db : new int[] {0, 2}) {
      shards.add(new ShardMeta(db, PREFIX + "/shards/run_id=" + RUN + "/db=0000" + db
          + "/attempt=00", "0", 10, 8192, 1L, 99L,
          List.of(new ShardFile("shard.db", 8192, null)), null, null,
          "0123456789abcdef0123456789abcde" + db));
    }
    return new Manifest(required, shards, Map.of());
  }

  public static byte[] validBytes() {
    return new SqliteManifestFormat().encode(valid());
  }

  /** The valid manifest after {@code sql} (statements separated by ';'). */
  public static byte[] mutate(String sql) {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
      ((SQLiteConnection) c).deserialize("main", validBytes());
      try (Statement s = c.createStatement()) {
        String pending = "";
        for (String part : sql.split(";")) {
          // a trigger body's statements end in ';' too: keep them until its END
          pending = pending.isEmpty() ? part : pending + ";" + part;
          if (pending.contains("BEGIN") && !pending.contains("END")) {
            continue;
          }
          if (!pending.isBlank()) {
            s.execute(pending);
          }
          pending = "";
        }
      }
      return ((SQLiteConnection) c).serialize("main");
    } catch (SQLException e) {
      throw new IllegalStateException("corpus SQL failed: " + sql + ": " + e, e);
    }
  }

  private static void add(String category, String name, String sql, String expected) {
    CASES.add(new Case(category, name, mutate(sql), expected));
  }

  private static void addBytes(String category, String name, byte[] bytes, String expected) {
    CASES.add(new Case(category, name, bytes, expected));
  }

  /** Recreates {@code shards} without its primary key, so any db_id (text, repeats) fits. */
  private static final String SHARDS_WITHOUT_KEY = "CREATE TABLE s2 (db_id, db_url TEXT, "
      + "attempt INTEGER NOT NULL, row_count INTEGER NOT NULL, db_bytes INTEGER NOT NULL, "
      + "min_key TEXT, max_key TEXT, checkpoint_id TEXT, writer_info TEXT NOT NULL DEFAULT "
      + "'{}'); INSERT INTO s2 SELECT * FROM shards; DROP TABLE shards; "
      + "ALTER TABLE s2 RENAME TO shards;";

  private static String setSharding(String json) {
    return "UPDATE build_meta SET sharding = '" + json + "'";
  }

  private static String setCustom(String json) {
    return "UPDATE build_meta SET custom = '" + json + "'";
  }

  static {
    // ---- db ids
    add("ids", "db_id-out-of-range", "UPDATE shards SET db_id = 9 WHERE db_id = 2",
        "outside 0..3");
    add("ids", "db_id-negative", "UPDATE shards SET db_id = -1 WHERE db_id = 0", "outside 0..3");
    add("ids", "db_id-2^32-wraps-to-0", "UPDATE shards SET db_id = 4294967296 WHERE db_id = 2",
        "db_id");
    add("ids", "db_id-repeated", SHARDS_WITHOUT_KEY + "UPDATE shards SET db_id = 0",
        "listed twice");
    add("ids", "db_id-text", SHARDS_WITHOUT_KEY + "UPDATE shards SET db_id = 'zero' "
        + "WHERE db_id = 0", "db_id");
    add("ids", "db_id-null", SHARDS_WITHOUT_KEY + "UPDATE shards SET db_id = NULL "
        + "WHERE db_id = 0", "db_id");
    add("ids", "db_id-real", SHARDS_WITHOUT_KEY + "UPDATE shards SET db_id = 0.5 "
        + "WHERE db_id = 0", "db_id");
    // ---- counts
    add("counts", "num_dbs-max-int", "UPDATE build_meta SET num_dbs = 2147483647",
        "outside 1..1048576");
    add("counts", "num_dbs-2^32+4-wraps-to-4", "UPDATE build_meta SET num_dbs = 4294967300",
        "num_dbs");
    add("counts", "num_dbs-zero", "UPDATE build_meta SET num_dbs = 0", "num_dbs");
    add("counts", "num_dbs-negative", "UPDATE build_meta SET num_dbs = -4", "num_dbs");
    add("counts", "num_dbs-text", "UPDATE build_meta SET num_dbs = 'four'", "num_dbs");
    add("counts", "more-shard-rows-than-num_dbs", "UPDATE build_meta SET num_dbs = 1",
        "num_dbs");
    add("counts", "100k-shard-rows", "WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 "
        + "FROM n WHERE i < 100009) INSERT INTO shards (db_id, db_url, attempt, row_count, "
        + "db_bytes) SELECT i, 's3://bucket/snapshots/py/shards/x/db=' || i, 0, 1, 1 FROM n",
        "shard rows");
    add("counts", "row_count-negative", "UPDATE shards SET row_count = -5", "row_count");
    add("counts", "db_bytes-negative", "UPDATE shards SET db_bytes = -1", "db_bytes");
    add("counts", "row_count-text", "UPDATE shards SET row_count = 'many'", "row_count");
    add("counts", "build_meta-two-rows", "INSERT INTO build_meta SELECT * FROM build_meta",
        "more than one row");
    add("counts", "build_meta-empty", "DELETE FROM build_meta", "no row");
    // ---- locations
    add("paths", "db_url-dotdot", "UPDATE shards SET db_url = '" + PREFIX
        + "/shards/../../../etc'", "'..' path segment");
    add("paths", "db_url-encoded-dotdot", "UPDATE shards SET db_url = '" + PREFIX
        + "/%2e%2e/x'", "path segment");
    add("paths", "db_url-nul", "UPDATE shards SET db_url = CAST(x'" + hex(PREFIX + "/x")
        + "002f79' AS TEXT)", "db_url");
    add("paths", "db_url-absolute-path", "UPDATE shards SET db_url = '/etc'", "no scheme");
    add("paths", "db_url-null", "UPDATE shards SET db_url = NULL", "db_url");
    add("paths", "db_url-blob", "UPDATE shards SET db_url = x'00ff'", "db_url");
    add("paths", "ext-file-dotdot", setCustom("{\"shardyfusion_jvm\":{\"files\":{\"0\":"
        + "[{\"name\":\"../../x\",\"size\":8192}]}}}"), "invalid name");
    add("paths", "ext-file-nul", setCustom("{\"shardyfusion_jvm\":{\"files\":{\"0\":"
        + "[{\"name\":\"shard.db\\u0000\",\"size\":8192}]}}}"), "invalid name");
    add("paths", "ext-file-negative-size", setCustom("{\"shardyfusion_jvm\":{\"files\":{\"0\":"
        + "[{\"name\":\"shard.db\",\"size\":-8192}]}}}"), "negative size");
    add("paths", "ext-file-fraction-size", setCustom("{\"shardyfusion_jvm\":{\"files\":{\"0\":"
        + "[{\"name\":\"shard.db\",\"size\":8191.5}]}}}"), "size");
    add("paths", "ext-file-bad-crc", setCustom("{\"shardyfusion_jvm\":{\"files\":{\"0\":"
        + "[{\"name\":\"shard.db\",\"size\":8192,\"crc32c\":\"xyz\"}]}}}"), "crc32c");
    add("paths", "ext-files-not-object", setCustom("{\"shardyfusion_jvm\":{\"files\":[1,2]}}"),
        "files");
    add("paths", "ext-shard_format-path", setCustom("{\"shardyfusion_jvm\":{\"shard_format\":"
        + "\"../../rocksdb\"}}"), "shard_format");
    // ---- types
    add("types", "format_version-5", "UPDATE build_meta SET format_version = 5",
        "format_version 5");
    add("types", "format_version-text", "UPDATE build_meta SET format_version = 'four'",
        "format_version");
    add("types", "run_id-null-via-no-constraint", "CREATE TABLE b2 AS SELECT * FROM build_meta;"
        + "DROP TABLE build_meta; ALTER TABLE b2 RENAME TO build_meta; "
        + "UPDATE build_meta SET run_id = NULL", "run_id");
    add("types", "run_id-integer", "UPDATE build_meta SET run_id = 42", null); // TEXT affinity: '42'
    add("types", "created_at-garbage", "UPDATE build_meta SET created_at = 'yesterday'",
        "created_at");
    add("types", "key_encoding-unknown", "UPDATE build_meta SET key_encoding = 'u128'",
        "key_encoding");
    add("types", "custom-array", setCustom("[1,2]"), "custom");
    add("types", "custom-not-json", setCustom("{oops"), "custom");
    add("types", "custom-deep-nesting", setCustom("[".repeat(5000) + "]".repeat(5000)),
        "custom");
    add("types", "min_key-not-json", "UPDATE shards SET min_key = '{oops'", "min_key");
    add("types", "min_key-object", "UPDATE shards SET min_key = '{\"a\":1}'", "min_key");
    add("types", "writer_info-wrong-types", "UPDATE shards SET writer_info = "
        + "'{\"writer\":5,\"host\":[1],\"duration_ms\":1}'", null); // ignored: operator info
    add("types", "checkpoint_id-blob", "UPDATE shards SET checkpoint_id = x'00ff'",
        "checkpoint_id");
    // ---- sharding
    add("sharding", "not-json", setSharding("{strategy"), "sharding");
    add("sharding", "array", setSharding("[1]"), "sharding");
    add("sharding", "strategy-number", setSharding("{\"strategy\":42,"
        + "\"hash_algorithm\":\"xxh3_64\"}"), "strategy");
    add("sharding", "strategy-missing", setSharding("{\"hash_algorithm\":\"xxh3_64\"}"),
        "strategy");
    add("sharding", "hash_algorithm-number", setSharding("{\"strategy\":\"hash\","
        + "\"hash_algorithm\":3}"), "hash_algorithm");
    add("sharding", "cel_columns-array", setSharding("{\"strategy\":\"cel\",\"cel_expr\":"
        + "\"key\",\"cel_columns\":[\"a\"],\"hash_algorithm\":\"xxh3_64\"}"), "cel_columns");
    add("sharding", "cel_columns-type-number", setSharding("{\"strategy\":\"cel\",\"cel_expr\":"
        + "\"shard_hash(region) % 4u\",\"cel_columns\":{\"region\":5},"
        + "\"hash_algorithm\":\"xxh3_64\"}"), "cel_columns");
    add("sharding", "cel_expr-number", setSharding("{\"strategy\":\"cel\",\"cel_expr\":7,"
        + "\"hash_algorithm\":\"xxh3_64\"}"), "cel_expr");
    add("sharding", "routing_values-object", setSharding("{\"strategy\":\"cel\",\"cel_expr\":"
        + "\"key\",\"routing_values\":{\"a\":1},\"hash_algorithm\":\"xxh3_64\"}"),
        "routing_values");
    add("sharding", "routing_values-duplicates", setSharding("{\"strategy\":\"cel\","
        + "\"cel_expr\":\"string(key)\",\"routing_values\":[\"a\",\"b\",\"a\",\"c\"],"
        + "\"hash_algorithm\":\"xxh3_64\"}"), "same token");
    add("sharding", "routing_values-count-mismatch", setSharding("{\"strategy\":\"cel\","
        + "\"cel_expr\":\"string(key)\",\"routing_values\":[\"a\",\"b\"],"
        + "\"hash_algorithm\":\"xxh3_64\"}"), "routing values");
    add("sharding", "routing_values-above-long", setSharding("{\"strategy\":\"cel\","
        + "\"cel_expr\":\"key\",\"routing_values\":[1,2,3,99999999999999999999999],"
        + "\"hash_algorithm\":\"xxh3_64\"}"), "routing value");
    add("sharding", "boundaries-string", setSharding("{\"strategy\":\"cel\",\"cel_expr\":"
        + "\"key\",\"boundaries\":\"10,20,30\",\"hash_algorithm\":\"xxh3_64\"}"), "boundaries");
    add("sharding", "unknown-field", setSharding("{\"strategy\":\"hash\","
        + "\"hash_algorithm\":\"xxh3_64\",\"salt\":1}"), "does not understand");
    // ---- schema: what a hostile file can make SQLite compute or open
    add("schema", "no-shards-table", "DROP TABLE shards", "without the manifest tables");
    add("schema", "build_meta-view-recursive", "CREATE TABLE b2 AS SELECT * FROM build_meta;"
        + "DROP TABLE build_meta; CREATE VIEW build_meta AS WITH RECURSIVE n(i) AS (SELECT 1 "
        + "UNION ALL SELECT i + 1 FROM n) SELECT b2.* FROM b2, n", "without the manifest tables");
    add("schema", "build_meta-generated-column-1GB", "CREATE TABLE b2 (run_id TEXT, created_at "
        + "TEXT, num_dbs INTEGER, s3_prefix TEXT, key_col TEXT, sharding TEXT, db_path_template "
        + "TEXT, shard_prefix TEXT, format_version INTEGER, key_encoding TEXT, custom0 TEXT);"
        + "INSERT INTO b2 SELECT * FROM build_meta; DROP TABLE build_meta; "
        + "ALTER TABLE b2 ADD COLUMN custom TEXT GENERATED ALWAYS AS "
        + "(custom0 || hex(zeroblob(400000000))) VIRTUAL; "
        + "ALTER TABLE b2 RENAME TO build_meta", "generated or hidden column");
    add("schema", "shards-virtual-table", "DROP TABLE shards; CREATE VIRTUAL TABLE shards "
        + "USING fts5(db_id, db_url, attempt, row_count, db_bytes, min_key, max_key, "
        + "checkpoint_id, writer_info)", "virtual");
    add("schema", "trigger-that-would-write", "CREATE TABLE audit (x); CREATE TRIGGER t AFTER "
        + "UPDATE ON shards BEGIN INSERT INTO audit VALUES (1); END", null); // never fires
    byte[] valid = validBytes();
    addBytes("bytes", "truncated-half", Arrays.copyOf(valid, valid.length / 2), "SQLite");
    addBytes("bytes", "header-only", Arrays.copyOf(valid, 100), "SQLite");
    addBytes("bytes", "magic-only", Arrays.copyOf(valid, 16), "SQLite");
    byte[] badPageSize = valid.clone();
    badPageSize[16] = 0x03; // 0x0300 = 768: not a power of two
    badPageSize[17] = 0x00;
    addBytes("bytes", "page-size-768", badPageSize, "SQLite");
    byte[] garbage = valid.clone();
    for (int i = 100; i < garbage.length; i += 7) {
      garbage[i] = (byte) (garbage[i] * 31 + 17);
    }
    addBytes("bytes", "garbage-pages", garbage, "SQLite");
  }

  private static String hex(String s) {
    return java.util.HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static List<Case> cases() {
    return List.copyOf(CASES);
  }
}
