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
import io.shardyfusion.manifest.ManifestFormat;
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
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

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

  @Override
  public Manifest decode(byte[] bytes, String source) {
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
      try {
        ((SQLiteConnection) c).deserialize("main", bytes);
      } catch (SQLException e) {
        throw bad(source, "is not a readable SQLite database (" + e.getMessage() + ")");
      }
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
        int version = rs.getInt("format_version");
        if (version != FORMAT_VERSION) {
          throw bad(source, "format_version " + version + " is not supported (this reader "
              + "reads SQLite manifests of format_version " + FORMAT_VERSION + "); upgrade "
              + "shardyfusion");
        }
        custom = parseObject(rs.getString("custom"), source, "build_meta.custom");
        Map<String, Object> ext = extension(custom);
        required = new BuildMeta(require(rs.getString("run_id"), source, "run_id"),
            parseTime(rs.getString("created_at"), source), rs.getInt("num_dbs"),
            require(rs.getString("s3_prefix"), source, "s3_prefix"),
            require(rs.getString("key_col"), source, "key_col"),
            sharding(rs.getString("sharding"), source),
            require(rs.getString("db_path_template"), source, "db_path_template"),
            require(rs.getString("shard_prefix"), source, "shard_prefix"), version,
            require(rs.getString("key_encoding"), source, "key_encoding"),
            ext.get("shard_format") instanceof String f ? f : "sqlite");
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

  private static List<ShardMeta> shards(Connection c, String source, BuildMeta required,
      Map<String, Object> ext) throws SQLException {
    Map<?, ?> files = ext.get("files") instanceof Map<?, ?> f ? f : Map.of();
    Map<?, ?> hashes = ext.get("content_hash") instanceof Map<?, ?> h ? h : Map.of();
    List<ShardMeta> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT db_id, db_url, attempt, row_count, db_bytes,"
            + " min_key, max_key, checkpoint_id, writer_info FROM shards ORDER BY db_id")) {
      while (rs.next()) {
        int dbId = rs.getInt("db_id");
        String at = "shards row db_id=" + dbId;
        String dbUrl = rs.getString("db_url");
        long dbBytes = rs.getLong("db_bytes");
        KeyEncoding encoding = encoding(required, source);
        Object minKey = jsonKey(rs.getString("min_key"), encoding, source, at + ".min_key");
        Object maxKey = jsonKey(rs.getString("max_key"), encoding, source, at + ".max_key");
        Map<String, Object> writerInfo = parseObject(rs.getString("writer_info"), source,
            at + ".writer_info");
        List<ShardFile> shardFiles = files.containsKey(Integer.toString(dbId))
            ? shardFiles(files.get(Integer.toString(dbId)), source, at)
            : List.of(new ShardFile("shard.db", dbBytes, null));
        out.add(new ShardMeta(dbId, dbUrl, Long.toString(rs.getLong("attempt")),
            rs.getLong("row_count"), dbBytes, minKey, maxKey, shardFiles,
            writerInfo.get("duration_ms") instanceof Number n
                ? new ShardMeta.WriterInfo((String) writerInfo.get("writer"),
                    (String) writerInfo.get("host"), n.longValue()) : null,
            hashes.get(Integer.toString(dbId)) instanceof String h ? h : null,
            rs.getString("checkpoint_id")));
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
          || !(f.get("size") instanceof Number size)) {
        throw bad(source, "custom." + EXTENSION_KEY + ".files for " + at + " has an entry "
            + "without name and size: " + o);
      }
      out.add(new ShardFile(n, size.longValue(), f.get("crc32c") instanceof String crc ? crc
          : null));
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
    @SuppressWarnings("unchecked")
    Map<String, String> columns = (Map<String, String>) m.get("cel_columns");
    @SuppressWarnings("unchecked")
    List<Object> boundaries = (List<Object>) m.get("boundaries");
    @SuppressWarnings("unchecked")
    List<Object> routingValues = (List<Object>) m.get("routing_values");
    return new ShardingMeta((String) m.get("strategy"), (String) m.get("cel_expr"), columns,
        boundaries, (String) m.get("hash_algorithm"), routingValues);
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
    BitSet seen = new BitSet();
    for (ShardMeta s : m.shards()) {
      String at = "shards row db_id=" + s.dbId();
      if (s.dbId() < 0 || s.dbId() >= r.numDbs()) {
        throw bad(source, at + " is outside 0.." + (r.numDbs() - 1));
      }
      seen.set(s.dbId());
      if (s.dbUrl() == null || s.dbUrl().isBlank()) {
        throw bad(source, at + " has no db_url");
      }
      if (s.rowCount() < 0 || s.dbBytes() < 0) {
        throw bad(source, at + " has a negative row_count or db_bytes");
      }
    }
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
