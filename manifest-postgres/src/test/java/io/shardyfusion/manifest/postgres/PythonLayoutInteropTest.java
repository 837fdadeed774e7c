package io.shardyfusion.manifest.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.ShardingMeta;
import io.shardyfusion.manifest.store.PublishedRef;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.UsesPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both systems on one database: rows written with the SQL of the Python system's
 * {@code db_manifest_store.PostgresManifestStore} (elkin/shardyfusion at b5ad9a17, transcribed
 * here with its {@code %s} markers as {@code ?}) are read by this project's store, and what this
 * store publishes is read back with the Python store's own SELECTs and checked against the
 * Python model's rules.
 */
@UsesPostgres
class PythonLayoutInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static PostgresServer pg;
  static String database;

  @BeforeAll
  static void database(PostgresServer server) {
    pg = server;
    database = server.createDatabase("pyinterop");
  }

  // ---- the Python store, transcribed -------------------------------------------------------

  /** The Python store's four DDL statements (its _ensure_table), for table_name {@code t}. */
  private static List<String> pythonDdl(String t, String pointer) {
    String b = t + "_builds";
    String s = t + "_shards";
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + b + " ("
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
        "CREATE TABLE IF NOT EXISTS " + s + " ("
            + "  run_id        TEXT NOT NULL REFERENCES " + b + "(run_id),"
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
   * A connection like psycopg2's: it sends parameters as untyped literals (strings become
   * timestamptz or jsonb where the column says so), which pgjdbc does with stringtype=unspecified.
   */
  private static Connection pythonConnection() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    p.setProperty("stringtype", "unspecified");
    Connection c = DriverManager.getConnection(pg.jdbcUrl(database), p);
    c.setAutoCommit(false);
    return c;
  }

  record PyShard(int dbId, String dbUrl, int attempt, int rowCount, long dbBytes,
      String checkpointId, String minKey, String maxKey, String writerInfo) {}

  /** The Python store's publish(), statement for statement, in one transaction. */
  static void pythonPublish(String t, String pointer, String runId, String createdAt,
      int numDbs, String s3Prefix, String keyEncoding, String sharding, String custom,
      List<PyShard> shards) throws SQLException {
    try (Connection c = pythonConnection()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + "_builds "
          + "  (run_id, created_at, num_dbs, s3_prefix, key_col,"
          + "   db_path_template, shard_prefix, key_encoding,"
          + "   sharding, custom) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          + "ON CONFLICT (run_id) DO UPDATE SET "
          + "  created_at = EXCLUDED.created_at,"
          + "  num_dbs = EXCLUDED.num_dbs,"
          + "  s3_prefix = EXCLUDED.s3_prefix,"
          + "  key_col = EXCLUDED.key_col,"
          + "  db_path_template = EXCLUDED.db_path_template,"
          + "  shard_prefix = EXCLUDED.shard_prefix,"
          + "  key_encoding = EXCLUDED.key_encoding,"
          + "  sharding = EXCLUDED.sharding,"
          + "  custom = EXCLUDED.custom")) {
        ps.setString(1, runId);
        ps.setString(2, createdAt);
        ps.setInt(3, numDbs);
        ps.setString(4, s3Prefix);
        ps.setString(5, "_key");
        ps.setString(6, "db={db_id:05d}");
        ps.setString(7, "shards");
        ps.setString(8, keyEncoding);
        ps.setString(9, sharding);
        ps.setString(10, custom);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t + "_shards WHERE "
          + "run_id = ?")) {
        ps.setString(1, runId);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + "_shards "
          + "  (run_id, db_id, db_url, attempt, row_count, db_bytes,"
          + "   checkpoint_id, min_key, max_key, writer_info) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (PyShard s : shards) {
          ps.setString(1, runId);
          ps.setInt(2, s.dbId());
          ps.setString(3, s.dbUrl());
          ps.setInt(4, s.attempt());
          ps.setInt(5, s.rowCount());
          ps.setLong(6, s.dbBytes());
          ps.setString(7, s.checkpointId());
          ps.setString(8, s.minKey());
          ps.setString(9, s.maxKey());
          ps.setString(10, s.writerInfo());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      pythonSetCurrent(c, pointer, runId);
      c.commit();
    }
  }

  /** The Python store's set_current() (and publish's last statement). */
  private static void pythonSetCurrent(Connection c, String pointer, String ref)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + pointer
        + " (manifest_ref) VALUES (?)")) {
      ps.setString(1, ref);
      ps.executeUpdate();
    }
  }

  static void pythonCreateTables(String t, String pointer) throws SQLException {
    try (Connection c = pythonConnection(); Statement s = c.createStatement()) {
      for (String sql : pythonDdl(t, pointer)) {
        s.execute(sql);
      }
      c.commit();
    }
  }

  /** What json.dumps(..., sort_keys=True) of a Python sharding spec / writer_info gives. */
  private static final String PY_HASH_SHARDING = "{\"cel_columns\": null, \"cel_expr\": null, "
      + "\"hash_algorithm\": \"xxh3_64\", \"routing_values\": null, \"strategy\": \"hash\"}";

  private static String pyWriterInfo(int attempt, int durationMs) {
    return "{\"attempt\": " + attempt + ", \"duration_ms\": " + durationMs
        + ", \"stage_id\": null, \"task_attempt_id\": null}";
  }

  private static PostgresManifestStore ourStore(String t, String pointer) {
    return new PostgresManifestStore(PgFixture.pythonConfig(pg, database).tableName(t)
        .pointerTable(pointer).build());
  }

  static String tables() {
    return "py_" + Long.toHexString(System.nanoTime());
  }

  // ---- Python writes, we read --------------------------------------------------------------

  @Test
  void aManifestThePythonStorePublishedIsReadHere() throws Exception {
    String t = tables();
    String pointer = t + "_pointer";
    pythonCreateTables(t, pointer);
    String prefix = "s3://bucket/users";
    String run = "5b63c0de5b63c0de5b63c0de5b63c0de";
    pythonPublish(t, pointer, run, "2026-12-01T20:49:51.172970Z", 4, prefix, "u64be",
        PY_HASH_SHARDING, "{\"team\": \"data\"}", List.of(
            new PyShard(0, prefix + "/shards/run_id=" + run + "/db=00000/attempt=00", 0, 3,
                8192, "c0ffee00c0ffee00c0ffee00c0ffee00", "4", "90", pyWriterInfo(0, 12)),
            new PyShard(2, prefix + "/shards/run_id=" + run + "/db=00002/attempt=01", 1, 5,
                12288, "c0ffee02c0ffee02c0ffee02c0ffee02", "1", "77", pyWriterInfo(1, 30))));
    // A later categorical-CEL run, published the same way.
    String run2 = "6c74d1ef6c74d1ef6c74d1ef6c74d1ef";
    pythonPublish(t, pointer, run2, "2026-12-01T21:00:00.000001Z", 3, prefix, "utf8",
        "{\"cel_columns\": {\"region\": \"string\"}, \"cel_expr\": \"region\", "
            + "\"hash_algorithm\": \"xxh3_64\", \"routing_values\": [\"ap\", \"eu\", \"us\"], "
            + "\"strategy\": \"cel\"}", "{}", List.of(
            new PyShard(1, prefix + "/shards/run_id=" + run2 + "/db=00001/attempt=00", 0, 2,
                4096, "aa", "\"k1\"", "\"k9\"", null)));

    try (PostgresManifestStore store = ourStore(t, pointer)) {
      CurrentPointer current = store.loadCurrent().orElseThrow();
      assertThat(current.manifestRef()).isEqualTo(run2);
      assertThat(current.runId()).isEqualTo(run2);
      assertThat(store.listManifests(5)).extracting(e -> e.ref() + ":" + e.numDbs() + ":"
          + e.shardCount() + ":" + e.totalRows())
          .containsExactly(run2 + ":3:1:2", run + ":4:2:8");

      Manifest m = store.loadManifest(run);
      BuildMeta r = m.required();
      assertThat(r.runId()).isEqualTo(run);
      assertThat(r.createdAt()).isEqualTo(Instant.parse("2026-12-01T20:49:51.172970Z"));
      assertThat(r.numDbs()).isEqualTo(4);
      assertThat(r.s3Prefix()).isEqualTo(prefix);
      assertThat(r.formatVersion()).isEqualTo(4);
      assertThat(r.shardFormat()).isEqualTo("sqlite");
      assertThat(r.dbPathTemplate()).isEqualTo("db={db_id:05d}");
      assertThat(m.shardingSpec()).isEqualTo(ShardingSpec.hash());
      assertThat(m.custom()).isEqualTo(Map.of("team", "data"));
      assertThat(m.shards()).extracting(ShardMeta::dbId).containsExactly(0, 2);
      ShardMeta s2 = m.shards().get(1);
      assertThat(s2.dbUrl()).endsWith("/db=00002/attempt=01");
      assertThat(s2.attempt()).isEqualTo("1");
      assertThat(s2.rowCount()).isEqualTo(5);
      assertThat(s2.dbBytes()).isEqualTo(12288);
      assertThat(s2.checkpointId()).isEqualTo("c0ffee02c0ffee02c0ffee02c0ffee02");
      assertThat(s2.minKey()).isEqualTo(1);
      assertThat(s2.maxKey()).isEqualTo(77);
      assertThat(s2.files()).containsExactly(new ShardFile("shard.db", 12288, null));
      assertThat(s2.writerInfo().durationMs()).isEqualTo(30);

      Manifest cel = store.loadManifest(run2);
      assertThat(cel.shardingSpec().routingValues()).containsExactly("ap", "eu", "us");
      assertThat(cel.shards().get(0).minKey()).isEqualTo("k1");
      assertThat(cel.shards().get(0).writerInfo()).isNull(); // NULL writer_info

      // A Python rollback (set_current) is seen here, and ours is seen by the Python query.
      try (Connection c = pythonConnection()) {
        pythonSetCurrent(c, pointer, run);
        c.commit();
      }
      assertThat(store.loadCurrent().orElseThrow().manifestRef()).isEqualTo(run);
      store.setCurrent(run2);
      assertThat(pythonLoadCurrent(pointer)).isEqualTo(run2);
    }
  }

  @Test
  void withNoPointerRowTheNewestBuildIsCurrentAsForThePythonReader() throws Exception {
    String t = tables();
    String pointer = t + "_pointer";
    pythonCreateTables(t, pointer);
    pythonPublish(t, pointer, "old", "2026-01-01T00:00:00.000000Z", 1, "s3://b/p", "u64be",
        PY_HASH_SHARDING, "{}", List.of());
    pythonPublish(t, pointer, "new", "2026-02-01T00:00:00.000000Z", 1, "s3://b/p", "u64be",
        PY_HASH_SHARDING, "{}", List.of());
    try (Connection c = pythonConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM " + pointer);
      c.commit();
    }
    try (PostgresManifestStore store = ourStore(t, pointer)) {
      assertThat(store.loadCurrent().orElseThrow().runId()).isEqualTo("new");
    }
  }

  // ---- we write, Python reads --------------------------------------------------------------

  /** The Python store's load_current() query. */
  private static String pythonLoadCurrent(String pointer) throws SQLException {
    try (Connection c = pythonConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT manifest_ref, updated_at "
            + "FROM " + pointer + " ORDER BY updated_at DESC LIMIT 1")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void whatThisStorePublishesIsWhatThePythonStoreReads() throws Exception {
    String t = tables();
    String pointer = t + "_pointer";
    Manifest m = TestManifests.run("jvm-run-1", 0);
    // A Beam attempt number: 62 bits, more than the Python layout's INTEGER column holds.
    List<ShardMeta> shards = new ArrayList<>(m.shards());
    ShardMeta s0 = shards.get(0);
    shards.set(0, new ShardMeta(s0.dbId(), s0.dbUrl(), "4611686018427387000", s0.rowCount(),
        s0.dbBytes(), s0.minKey(), s0.maxKey(), s0.files(), s0.writerInfo(), s0.contentHash(),
        s0.checkpointId()));
    Manifest big = new Manifest(m.required(), shards, Map.of("owner", "search"));
    try (PostgresManifestStore store = ourStore(t, pointer)) {
      PublishedRef ref = store.publish(big);
      assertThat(ref.manifestRef()).isEqualTo("jvm-run-1");
      assertThat(store.loadManifest("jvm-run-1")).isEqualTo(normalized(big));
    }
    assertThat(pythonLoadCurrent(pointer)).isEqualTo("jvm-run-1");

    try (Connection c = pythonConnection(); Statement st = c.createStatement()) {
      // The Python store's load_manifest() SELECTs.
      try (ResultSet rs = st.executeQuery("SELECT run_id, created_at, num_dbs, s3_prefix, "
          + "key_col, db_path_template, shard_prefix, key_encoding, sharding, custom FROM "
          + t + "_builds WHERE run_id = 'jvm-run-1'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getObject(2, java.time.OffsetDateTime.class).toInstant())
            .isEqualTo(m.required().createdAt());
        assertThat(rs.getInt(3)).isEqualTo(m.numDbs());
        assertThat(rs.getString(5)).isEqualTo(m.required().keyCol());
        assertThat(rs.getString(6)).isEqualTo("db={db_id:05d}");
        assertThat(rs.getString(8)).isEqualTo(m.required().keyEncoding());
        // ManifestShardingSpec forbids extra keys: exactly its five fields.
        Map<String, Object> sharding = jsonObject(rs.getString(9));
        assertThat(sharding.keySet()).containsExactlyInAnyOrder("strategy", "cel_expr",
            "cel_columns", "hash_algorithm", "routing_values");
        assertThat(sharding.get("strategy")).isEqualTo("hash");
        assertThat(sharding.get("hash_algorithm")).isEqualTo("xxh3_64");
        Map<?, ?> custom = JSON.readValue(rs.getString(10), Map.class);
        assertThat(custom.get("owner")).isEqualTo("search");
        assertThat(custom.get("shardyfusion_jvm")).isInstanceOf(Map.class);
      }
      try (ResultSet rs = st.executeQuery("SELECT db_id, db_url, attempt, row_count, db_bytes, "
          + "checkpoint_id, min_key, max_key, writer_info FROM " + t + "_shards "
          + "WHERE run_id = 'jvm-run-1' ORDER BY db_id")) {
        for (ShardMeta s : big.shards()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(s.dbId());
          assertThat(rs.getString(2)).isEqualTo(s.dbUrl());
          // RequiredShardMeta: attempt >= 0; 62-bit ones are 0 here, exact in the extension.
          long attempt = Long.parseLong(s.attempt());
          assertThat(rs.getInt(3)).isEqualTo(attempt > Integer.MAX_VALUE ? 0 : (int) attempt);
          assertThat(rs.getLong(4)).isEqualTo(s.rowCount());
          assertThat(rs.getLong(5)).isEqualTo(s.dbBytes());
          assertThat(rs.getString(6)).isEqualTo(s.checkpointId());
          assertThat(JSON.readValue(rs.getString(7), Object.class)).isEqualTo(s.minKey());
          Map<String, Object> info = jsonObject(rs.getString(9));
          assertThat(info.keySet()).containsExactlyInAnyOrder("attempt", "duration_ms",
              "stage_id", "task_attempt_id");
        }
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> jsonObject(String json) throws Exception {
    return JSON.readValue(json, Map.class);
  }

  private static Manifest normalized(Manifest m) {
    // What a round trip through the Python rows keeps: microsecond times, format_version 4.
    BuildMeta r = m.required();
    return new Manifest(new BuildMeta(r.runId(), r.createdAt(), r.numDbs(), r.s3Prefix(),
        r.keyCol(), r.sharding(), r.dbPathTemplate(), r.shardPrefix(), 4, r.keyEncoding(),
        r.shardFormat()), m.shards(), m.custom());
  }

  @Test
  void tablesThisStoreCreatesAreThePythonStoresColumnForColumn() throws Exception {
    String ours = tables();
    try (PostgresManifestStore store = ourStore(ours, ours + "_pointer")) {
      store.loadCurrent(); // creates the tables
    }
    String theirs = tables();
    pythonCreateTables(theirs, theirs + "_pointer");
    for (String suffix : List.of("_builds", "_shards", "_pointer")) {
      assertThat(columns(ours + suffix)).isNotEmpty().isEqualTo(columns(theirs + suffix));
    }
    assertThat(indexes(ours)).isEqualTo(indexes(theirs).stream()
        .map(d -> d.replace(theirs, ours)).toList());
  }

  private static List<String> columns(String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pythonConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT column_name, data_type, is_nullable, column_default FROM "
            + "information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " "
              + rs.getString(4));
        }
      }
    }
    return out;
  }

  private static List<String> indexes(String t) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pythonConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT indexdef FROM pg_indexes WHERE tablename LIKE ? ORDER BY indexname")) {
      ps.setString(1, t + "%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  // ---- publish semantics and bad input -----------------------------------------------------

  @Test
  void aRetriedPublishDoesNotMoveThePointerAndADifferentManifestIsRefused() throws Exception {
    String t = tables();
    try (PostgresManifestStore store = ourStore(t, t + "_pointer")) {
      Manifest a = TestManifests.run("ra", 0);
      Manifest b = TestManifests.run("rb", 1);
      store.publish(a);
      store.publish(b);
      store.setCurrent("ra");
      PublishedRef again = store.publish(b); // a retry of b's publish
      assertThat(again.pointer().runId()).isEqualTo("ra");
      assertThat(store.pointerHistory(10)).extracting(CurrentPointer::runId)
          .containsExactly("ra", "rb", "ra");
      Manifest other = TestManifests.run("rb", 5);
      assertThatThrownBy(() -> store.publish(other))
          .isInstanceOf(ConfigValidationException.class)
          .hasMessageContaining("a different manifest is already stored for run rb");
    }
  }

  @Test
  void malformedRowsForeignVersionsAndDanglingPointersAreRefusedNamingTableAndRow()
      throws Exception {
    String t = tables();
    String pointer = t + "_pointer";
    pythonCreateTables(t, pointer);
    pythonPublish(t, pointer, "good", "2025-12-31T00:00:00.000000Z", 2, "s3://b/p", "u64be",
        PY_HASH_SHARDING, "{}", List.of());
    pythonPublish(t, pointer, "salted", "2026-01-01T00:00:00.000000Z", 2, "s3://b/p", "u64be",
        "{\"strategy\": \"hash\", \"hash_algorithm\": \"xxh3_64\", \"salt\": 1}", "{}",
        List.of());
    pythonPublish(t, pointer, "outside", "2026-01-02T00:00:00.000000Z", 2, "s3://b/p",
        "u64be", PY_HASH_SHARDING, "{}", List.of(new PyShard(7, "s3://b/p/x", 0, 1, 1, null,
            null, null, null)));
    pythonPublish(t, pointer, "miscount", "2026-01-03T00:00:00.000000Z", 2, "s3://b/p",
        "u64be", "{\"cel_columns\": {\"key\": \"int\"}, \"cel_expr\": \"key\", "
            + "\"hash_algorithm\": \"xxh3_64\", \"routing_values\": [1, 2, 3], "
            + "\"strategy\": \"cel\"}", "{}", List.of());
    try (PostgresManifestStore store = ourStore(t, pointer)) {
      assertRefused(() -> store.loadManifest("salted"), t + "_builds",
          "has field(s) [salt] this reader does not understand");
      assertRefused(() -> store.loadManifest("outside"), t + "_shards row db_id=7",
          "is outside 0..1");
      assertRefused(() -> store.loadManifest("miscount"), "run_id=miscount",
          "num_dbs is 2 but sharding lists 3 routing values");
      // Refused before the pointer moves.
      assertRefused(() -> store.setCurrent("salted"), "salt", "upgrade shardyfusion");
      assertThat(store.loadCurrent().orElseThrow().runId()).isEqualTo("miscount");
      assertThatThrownBy(() -> store.loadManifest("absent"))
          .isInstanceOf(ObjectNotFoundException.class);
      assertThatThrownBy(() -> store.loadManifest("s3://b/p/manifests/x/manifest"))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable())
              .isFalse()).hasMessageContaining("a ref is a run id");
    }

    // A pointer to a build that is not there (deleted by hand, or a half-copied database).
    try (Connection c = pythonConnection()) {
      pythonSetCurrent(c, pointer, "vanished");
      c.commit();
    }
    try (PostgresManifestStore store = ourStore(t, pointer)) {
      assertRefused(store::loadCurrent, "newest row of table " + pointer,
          "manifest_ref='vanished') names a build that table " + t + "_builds does not have");
      // The fix the message names: roll back to an existing run.
      store.setCurrent("good");
      assertThat(store.loadCurrent().orElseThrow().runId()).isEqualTo("good");
    }

    // A later Python version that records format_version in its builds table.
    try (Connection c = pythonConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + t + "_builds ADD COLUMN format_version INTEGER");
      s.execute("UPDATE " + t + "_builds SET format_version = 5 WHERE run_id = 'miscount'");
      c.commit();
    }
    try (PostgresManifestStore store = ourStore(t, pointer)) {
      assertRefused(() -> store.loadManifest("miscount"), t + "_builds.format_version 5",
          "is not supported");
    }
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      String where, String what) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(ManifestParseException.class,
            e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining(where).hasMessageContaining(what);
  }

  @Test
  void routingValuesTravelAsThePythonModelDumpsThem() throws Exception {
    String t = tables();
    ShardingSpec spec = ShardingSpec.celCategorical("region", Map.of("region", "string"),
        List.of("ap", "eu", "us"));
    Manifest base = TestManifests.run("cel-run", 0);
    BuildMeta r = base.required();
    Manifest m = new Manifest(new BuildMeta(r.runId(), r.createdAt(), 3, r.s3Prefix(),
        r.keyCol(), ShardingMeta.of(spec), r.dbPathTemplate(), r.shardPrefix(),
        r.formatVersion(), r.keyEncoding(), r.shardFormat()), List.of(), Map.of());
    try (PostgresManifestStore store = ourStore(t, t + "_pointer")) {
      store.publish(m);
      assertThat(store.loadManifest("cel-run").shardingSpec()).isEqualTo(spec);
    }
    try (Connection c = pythonConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sharding FROM " + t + "_builds")) {
      rs.next();
      assertThat(JSON.readValue(rs.getString(1), Map.class)).isEqualTo(Map.of(
          "strategy", "cel", "cel_expr", "region", "cel_columns", Map.of("region", "string"),
          "hash_algorithm", "xxh3_64", "routing_values", List.of("ap", "eu", "us")));
    }
  }
}
