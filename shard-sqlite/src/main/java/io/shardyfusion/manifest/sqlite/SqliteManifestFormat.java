package io.shardyfusion.manifest.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestChecks;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestLimits;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.ShardingMeta;
import io.shardyfusion.routing.KeyEncoding;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteLimits;

/**
 * The Python system's manifest, {@code format_version} 4: a serialized SQLite database with a
 * one-row {@code build_meta} table and a {@code shards} table (one row per non-empty shard).
 * Decoded in memory (the bytes are handed to SQLite's deserialize; nothing touches the disk).
 *
 * <p>What only this project needs and the Python manifest has no column for (the shard backend
 * when it is not SQLite, RocksDB's per-file sizes and CRC32C, the content hashes that let a
 * refresh keep unchanged shards) travels in {@code custom["shardyfusion_jvm"]}, which the Python
 * reader carries along untouched. A manifest without it has SQLite shards of one
 * {@code shard.db} each, verified by size (the Python manifest records no checksum).
 */
public final class SqliteManifestFormat implements ManifestFormat {
  /** The only manifest version the Python system's readers accept. */
  public static final int FORMAT_VERSION = 4;
  /** The custom field this project's extensions live under. */
  public static final String EXTENSION_KEY = "shardyfusion_jvm";
  private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final Set<String> SHARDING_FIELDS = Set.of("strategy", "cel_expr",
      "cel_columns", "hash_algorithm", "routing_values", "boundaries");
  private static final java.util.regex.Pattern CRC32C_HEX =
      java.util.regex.Pattern.compile("[0-9a-f]{8}");
  private static final java.util.regex.Pattern SHARD_FORMAT_NAME =
      java.util.regex.Pattern.compile("[a-z0-9_-]{1,64}");
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  // Python's json.dumps(sort_keys=True) spelling is what its readers compare; compact is fine
  // for them (they parse), sorted keys keep our bytes deterministic.
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

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
   * Decodes untrusted bytes: the database lives in memory only (nothing on disk, no extension
   * loading, no ATTACH), the connection is query-only with an untrusted schema, values are
   * limited to the manifest's size, and a schema that would make SQLite compute anything (views,
   * virtual tables, generated columns) is refused before any row is read. Only SELECTs run, so
   * triggers never fire.
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
      BuildMeta required;
      Map<String, Object> custom;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT run_id, created_at, num_dbs, s3_prefix, key_col,"
              + " sharding, db_path_template, shard_prefix, format_version, key_encoding, custom"
              + " FROM build_meta")) {
        if (!rs.next()) {
          throw bad(source, "build_meta has no row");
        }
        long version = integer(rs, "format_version", source, "build_meta");
        if (version != FORMAT_VERSION) {
          throw bad(source, "format_version " + version + " is not supported (this reader "
              + "reads SQLite manifests of format_version " + FORMAT_VERSION + "); upgrade "
              + "shardyfusion");
        }
        custom = parseObject(text(rs, "custom", source), source, "build_meta.custom");
        Map<String, Object> ext = extension(custom);
        long numDbs = integer(rs, "num_dbs", source, "build_meta");
        if (numDbs <= 0 || numDbs > ManifestLimits.MAX_NUM_DBS) {
          throw bad(source, "build_meta.num_dbs " + numDbs + " is outside 1.."
              + ManifestLimits.MAX_NUM_DBS + " (the most shards a reader holds): the manifest "
              + "is damaged or not a shardyfusion manifest");
        }
        Object shardFormat = ext.getOrDefault("shard_format", "sqlite");
        if (!(shardFormat instanceof String f) || !SHARD_FORMAT_NAME.matcher(f).matches()) {
          throw bad(source, "custom." + EXTENSION_KEY + ".shard_format '" + shardFormat
              + "' is not a backend name (lowercase letters, digits, '-' or '_')");
        }
        required = new BuildMeta(text(rs, "run_id", source), parseTime(text(rs, "created_at",
            source), source), (int) numDbs, text(rs, "s3_prefix", source),
            text(rs, "key_col", source), sharding(text(rs, "sharding", source), source),
            text(rs, "db_path_template", source), text(rs, "shard_prefix", source),
            (int) version, text(rs, "key_encoding", source), f);
        if (rs.next()) {
          throw bad(source, "build_meta has more than one row");
        }
      }
      List<ShardMeta> shards = shards(c, source, required, extension(custom));
      Map<String, Object> userCustom = new LinkedHashMap<>(custom);
      userCustom.remove(EXTENSION_KEY);
      Manifest m = new Manifest(required, shards, userCustom);
      validate(m, source);
      return m;
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
  private static long integer(ResultSet rs, String column, String source, String table)
      throws SQLException {
    Object v = rs.getObject(column);
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw bad(source, table + "." + column + " is " + describeCell(v) + "; expected an "
        + "INTEGER");
  }

  /** A TEXT cell of build_meta (NOT NULL in the Python schema). */
  private static String text(ResultSet rs, String column, String source) throws SQLException {
    Object v = rs.getObject(column);
    if (v instanceof String str) {
      return str;
    }
    throw bad(source, "build_meta." + column + " is " + describeCell(v) + "; expected TEXT");
  }

  /** A TEXT-or-NULL cell of a shards row. */
  private static String optionalText(ResultSet rs, String column, String source, String at)
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

  private static List<ShardMeta> shards(Connection c, String source, BuildMeta required,
      Map<String, Object> ext) throws SQLException {
    if (ext.containsKey("files") && !(ext.get("files") instanceof Map<?, ?>)) {
      throw bad(source, "custom." + EXTENSION_KEY + ".files is not an object of db id -> "
          + "files");
    }
    Map<?, ?> files = ext.get("files") instanceof Map<?, ?> f ? f : Map.of();
    Map<?, ?> hashes = ext.get("content_hash") instanceof Map<?, ?> h ? h : Map.of();
    // Counted before any row is materialized: a manifest cannot make a reader hold more rows
    // than it has shards.
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM shards")) {
      long rows = rs.next() ? rs.getLong(1) : 0;
      if (rows > required.numDbs()) {
        throw bad(source, "has " + rows + " shard rows for num_dbs=" + required.numDbs()
            + "; a snapshot has at most num_dbs shards");
      }
    }
    List<ShardMeta> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT db_id, db_url, attempt, row_count, db_bytes,"
            + " min_key, max_key, checkpoint_id, writer_info FROM shards ORDER BY db_id")) {
      while (rs.next()) {
        long id = integer(rs, "db_id", source, "shards");
        if (id < 0 || id >= required.numDbs()) {
          throw bad(source, "shards row db_id=" + id + " is outside 0.."
              + (required.numDbs() - 1));
        }
        int dbId = (int) id;
        String at = "shards row db_id=" + dbId;
        String dbUrl = optionalText(rs, "db_url", source, at);
        long dbBytes = integer(rs, "db_bytes", source, at);
        KeyEncoding encoding = encoding(required, source);
        Object minKey = jsonKey(optionalText(rs, "min_key", source, at), encoding, source,
            at + ".min_key");
        Object maxKey = jsonKey(optionalText(rs, "max_key", source, at), encoding, source,
            at + ".max_key");
        Map<String, Object> writerInfo = parseObject(optionalText(rs, "writer_info", source, at),
            source, at + ".writer_info");
        List<ShardFile> shardFiles = files.containsKey(Integer.toString(dbId))
            ? shardFiles(files.get(Integer.toString(dbId)), source, at)
            : List.of(new ShardFile("shard.db", dbBytes, null));
        out.add(new ShardMeta(dbId, dbUrl, Long.toString(integer(rs, "attempt", source, at)),
            integer(rs, "row_count", source, at), dbBytes, minKey, maxKey, shardFiles,
            // operator information only: a wrong type is dropped, not an error
            writerInfo.get("duration_ms") instanceof Number n
                ? new ShardMeta.WriterInfo(writerInfo.get("writer") instanceof String w ? w
                    : null, writerInfo.get("host") instanceof String h ? h : null,
                    n.longValue()) : null,
            hashes.get(Integer.toString(dbId)) instanceof String h ? h : null,
            optionalText(rs, "checkpoint_id", source, at)));
      }
    }
    return out;
  }

  private static List<ShardFile> shardFiles(Object spec, String source, String at) {
    if (!(spec instanceof List<?> list)) {
      throw bad(source, "custom." + EXTENSION_KEY + ".files for " + at + " is not a list");
    }
    List<ShardFile> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> f) || !(f.get("name") instanceof String n)
          || !(f.get("size") instanceof Integer || f.get("size") instanceof Long)) {
        throw bad(source, "custom." + EXTENSION_KEY + ".files for " + at + " has an entry "
            + "without a name and an integer size: " + abbreviate(o));
      }
      Object crc = f.get("crc32c");
      if (crc != null && !(crc instanceof String c && CRC32C_HEX.matcher(c).matches())) {
        throw bad(source, "custom." + EXTENSION_KEY + ".files for " + at + " file " + n
            + " has crc32c '" + abbreviate(crc) + "'; expected 8 lowercase hex digits");
      }
      out.add(new ShardFile(n, ((Number) f.get("size")).longValue(), (String) crc));
    }
    return out;
  }

  private static ShardingMeta sharding(String json, String source) {
    Map<String, Object> m = parseObject(json, source, "build_meta.sharding");
    Set<String> unknown = new TreeSet<>(m.keySet());
    unknown.removeAll(SHARDING_FIELDS);
    if (!unknown.isEmpty()) {
      throw bad(source, "build_meta.sharding has field(s) " + unknown + " this reader does not "
          + "understand (it knows " + new TreeSet<>(SHARDING_FIELDS) + "); ignoring them could "
          + "misroute keys: upgrade shardyfusion to read this snapshot");
    }
    Map<String, String> columns = null;
    if (m.get("cel_columns") != null) {
      if (!(m.get("cel_columns") instanceof Map<?, ?> cols)) {
        throw bad(source, "build_meta.sharding.cel_columns is not an object of column -> type");
      }
      columns = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : cols.entrySet()) {
        if (!(e.getValue() instanceof String type)) {
          throw bad(source, "build_meta.sharding.cel_columns type of column '" + e.getKey()
              + "' is " + abbreviate(e.getValue()) + "; expected one of "
              + new TreeSet<>(io.shardyfusion.routing.ShardingSpec.CEL_COLUMN_TYPES));
        }
        columns.put((String) e.getKey(), type);
      }
    }
    return new ShardingMeta(textField(m, "strategy", source), textField(m, "cel_expr", source),
        columns, listField(m, "boundaries", source), textField(m, "hash_algorithm", source),
        listField(m, "routing_values", source));
  }

  private static String textField(Map<String, Object> sharding, String field, String source) {
    Object v = sharding.get(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw bad(source, "build_meta.sharding." + field + " is " + abbreviate(v) + "; expected a "
        + "string");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> listField(Map<String, Object> sharding, String field,
      String source) {
    Object v = sharding.get(field);
    if (v == null || v instanceof List<?>) {
      return (List<Object>) v;
    }
    throw bad(source, "build_meta.sharding." + field + " is " + abbreviate(v) + "; expected a "
        + "list");
  }

  private static String abbreviate(Object v) {
    String s = String.valueOf(v);
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static KeyEncoding encoding(BuildMeta required, String source) {
    try {
      return KeyEncoding.fromWireName(required.keyEncoding());
    } catch (ConfigValidationException e) {
      throw bad(source, "build_meta.key_encoding: " + e.getMessage());
    }
  }

  /**
   * A min/max key as the Python writer stores it: {@code json.dumps} of the original key. Raw
   * keys are stored as the UTF-8 decoding of their bytes, which says little: kept as text.
   */
  private static Object jsonKey(String json, KeyEncoding encoding, String source, String at) {
    if (json == null) {
      return null;
    }
    Object v;
    try {
      v = JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw bad(source, at + " is not JSON: " + e.getOriginalMessage());
    }
    if (encoding == KeyEncoding.RAW || v == null) {
      return null; // not comparable with raw keys' base64 form in this project's model
    }
    try {
      encoding.fromJsonValue(v);
    } catch (RuntimeException e) { // ClassCastException for an object, range errors
      throw bad(source, at + " " + abbreviate(json) + " is not a key of encoding "
          + encoding.wireName());
    }
    return v;
  }

  private static Map<String, Object> parseObject(String json, String source, String what) {
    if (json == null) {
      throw bad(source, what + " is NULL");
    }
    try {
      Map<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String,
          Object>>() { });
      return m == null ? new LinkedHashMap<>() : m;
    } catch (JsonProcessingException e) {
      throw bad(source, what + " is not a JSON object: " + e.getOriginalMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> extension(Map<String, Object> custom) {
    return custom.get(EXTENSION_KEY) instanceof Map<?, ?> m ? (Map<String, Object>) m
        : Map.of();
  }

  private static Instant parseTime(String text, String source) {
    try {
      return Instant.parse(require(text, source, "created_at"));
    } catch (DateTimeParseException e) {
      throw bad(source, "build_meta.created_at '" + text + "' is not an ISO-8601 UTC time");
    }
  }

  private static String require(String value, String source, String column) {
    if (value == null) {
      throw bad(source, "build_meta." + column + " is NULL");
    }
    return value;
  }

  /** The rules both Python readers apply, plus the routing spec compiling. */
  private static void validate(Manifest m, String source) {
    BuildMeta r = m.required();
    if (r.numDbs() <= 0) {
      throw bad(source, "build_meta.num_dbs must be > 0, got " + r.numDbs());
    }
    if (m.shards().size() > r.numDbs()) {
      throw bad(source, "lists " + m.shards().size() + " shards for num_dbs=" + r.numDbs());
    }
    List<Object> values = r.sharding().routingValues();
    if (values != null && values.size() != r.numDbs()) {
      throw bad(source, "build_meta.num_dbs is " + r.numDbs() + " but sharding lists "
          + values.size() + " routing values; with categorical routing they must be equal");
    }
    if (!"xxh3_64".equals(r.sharding().hashAlgorithm())) {
      throw bad(source, "build_meta.sharding.hash_algorithm '" + r.sharding().hashAlgorithm()
          + "' is not supported; expected 'xxh3_64'");
    }
    try {
      r.sharding().toSpec();
    } catch (ConfigValidationException e) {
      throw bad(source, "build_meta.sharding: " + e.getMessage());
    }
    // ids in range and listed once, sizes, db_url and file names: as every format
    ManifestChecks.validate(m, source);
  }

  private static ManifestParseException bad(String source, String problem) {
    return new ManifestParseException("malformed manifest data at " + source + ": the SQLite "
        + "manifest " + problem);
  }

  // ---- encode ------------------------------------------------------------------------------

  @Override
  public byte[] encode(Manifest manifest) {
    BuildMeta r = manifest.required();
    Map<String, Object> custom = new TreeMap<>(manifest.custom());
    Map<String, Object> ext = new TreeMap<>();
    if (!"sqlite".equals(r.shardFormat())) {
      ext.put("shard_format", r.shardFormat());
    }
    Map<String, Object> files = new TreeMap<>();
    Map<String, Object> hashes = new TreeMap<>();
    for (ShardMeta s : manifest.shards()) {
      boolean plainSqlite = s.files().size() == 1 && s.files().get(0).name().equals("shard.db")
          && s.files().get(0).crc32c() == null;
      if (!plainSqlite) {
        List<Map<String, Object>> fs = new ArrayList<>();
        for (ShardFile f : s.files()) {
          Map<String, Object> e = new TreeMap<>();
          e.put("name", f.name());
          e.put("size", f.size());
          if (f.crc32c() != null) {
            e.put("crc32c", f.crc32c());
          }
          fs.add(e);
        }
        files.put(Integer.toString(s.dbId()), fs);
      }
      if (s.contentHash() != null) {
        hashes.put(Integer.toString(s.dbId()), s.contentHash());
      }
    }
    if (!files.isEmpty()) {
      ext.put("files", files);
    }
    if (!hashes.isEmpty()) {
      ext.put("content_hash", hashes);
    }
    if (!ext.isEmpty()) {
      custom.put(EXTENSION_KEY, ext);
    }
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
        ps.setString(1, r.runId());
        ps.setString(2, MICROS.format(r.createdAt()));
        ps.setInt(3, r.numDbs());
        ps.setString(4, r.s3Prefix());
        ps.setString(5, r.keyCol());
        ps.setString(6, JSON.writeValueAsString(shardingJson(r.sharding())));
        ps.setString(7, r.dbPathTemplate());
        ps.setString(8, r.shardPrefix());
        ps.setInt(9, FORMAT_VERSION);
        ps.setString(10, r.keyEncoding());
        ps.setString(11, JSON.writeValueAsString(custom));
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO shards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (ShardMeta s : manifest.shards()) {
          ps.setInt(1, s.dbId());
          ps.setString(2, s.dbUrl());
          ps.setLong(3, attemptNumber(s));
          ps.setLong(4, s.rowCount());
          ps.setLong(5, s.dbBytes());
          ps.setString(6, s.minKey() == null ? null : JSON.writeValueAsString(s.minKey()));
          ps.setString(7, s.maxKey() == null ? null : JSON.writeValueAsString(s.maxKey()));
          ps.setString(8, s.checkpointId());
          Map<String, Object> info = new TreeMap<>();
          info.put("attempt", attemptNumber(s));
          info.put("duration_ms", s.writerInfo() == null ? 0 : s.writerInfo().durationMs());
          info.put("stage_id", null);
          info.put("task_attempt_id", null);
          ps.setString(9, JSON.writeValueAsString(info));
          ps.executeUpdate();
        }
      }
      return ((SQLiteConnection) c).serialize("main");
    } catch (SQLException | JsonProcessingException e) {
      throw new ConfigValidationException("cannot encode the manifest of run "
          + manifest.runId() + " as a SQLite manifest: " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> shardingJson(ShardingMeta s) {
    Map<String, Object> m = new TreeMap<>();
    m.put("strategy", s.strategy());
    m.put("cel_expr", s.celExpr());
    m.put("cel_columns", s.celColumns());
    m.put("hash_algorithm", s.hashAlgorithm());
    m.put("routing_values", s.routingValues());
    if (s.boundaries() != null) {
      // Not part of the Python format: its reader rejects the unknown key loudly instead of
      // routing range-sharded keys as if they were hashed.
      m.put("boundaries", s.boundaries());
    }
    return m;
  }

  /** The Python manifest's attempt is an integer; ours may be an id string (older runs). */
  private static long attemptNumber(ShardMeta s) {
    try {
      return Long.parseLong(s.attempt());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

}
