package io.shardyfusion.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.routing.KeyEncoding;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Python system's manifest as rows: one build row and one row per non-empty shard, the
 * columns its SQLite manifest ({@code build_meta}, {@code shards}) and its PostgreSQL store
 * ({@code <name>_builds}, {@code <name>_shards}) share. JSON columns are JSON text. Both
 * containers map a {@link Manifest} through this class, so they agree on every field, on this
 * project's extension in {@code custom} and on validation.
 *
 * <p>What only this project needs and the Python model has no column for (the shard backend
 * when it is not SQLite, RocksDB's per-file sizes and CRC32C, the content hashes that let a
 * refresh keep unchanged shards, attempt numbers too large for a 32-bit column) travels in
 * {@code custom["shardyfusion_jvm"]}, which the Python reader carries along untouched.
 *
 * <pre>{@code
 * PythonManifestRows.Rows rows = PythonManifestRows.toRows(manifest);
 * Manifest back = PythonManifestRows.fromRows(rows, PythonManifestRows.Naming.SQLITE, source);
 * }</pre>
 */
public final class PythonManifestRows {
  /** The only manifest version the Python system's readers accept. */
  public static final int FORMAT_VERSION = 4;
  /** The custom field this project's extensions live under. */
  public static final String EXTENSION_KEY = "shardyfusion_jvm";
  private static final Set<String> SHARDING_FIELDS = Set.of("strategy", "cel_expr",
      "cel_columns", "hash_algorithm", "routing_values", "boundaries");
  // Python's json.dumps(sort_keys=True) spelling is what its readers compare; compact is fine
  // for them (they parse), sorted keys keep our bytes deterministic.
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private PythonManifestRows() {}

  /** The build row; {@code shardingJson} and {@code customJson} are JSON objects as text. */
  public record Build(String runId, Instant createdAt, int numDbs, String s3Prefix,
      String keyCol, String shardingJson, String dbPathTemplate, String shardPrefix,
      int formatVersion, String keyEncoding, String customJson) {}

  /** A shard row; the JSON columns are JSON text or null. */
  public record Shard(int dbId, String dbUrl, long attempt, long rowCount, long dbBytes,
      String minKeyJson, String maxKeyJson, String checkpointId, String writerInfoJson) {}

  /** A whole manifest: its build row and its shard rows in {@code db_id} order. */
  public record Rows(Build build, List<Shard> shards) {
    public Rows {
      shards = List.copyOf(shards);
    }
  }

  /**
   * How a container names its tables, for messages: {@code what} is e.g. "the SQLite
   * manifest", {@code buildTable}/{@code shardsTable} the table names.
   */
  public record Naming(String what, String buildTable, String shardsTable) {
    public static final Naming SQLITE = new Naming("the SQLite manifest", "build_meta",
        "shards");
  }

  // ---- Manifest -> rows ----------------------------------------------------------------------

  /**
   * The rows of {@code manifest}, with this project's extension added to {@code custom}.
   *
   * @param maxAttempt the largest attempt the container's column holds; a larger one is stored
   *     as 0 there and exactly in the extension ({@code attempts}), so it reads back unchanged
   */
  public static Rows toRows(Manifest manifest, long maxAttempt) {
    BuildMeta r = manifest.required();
    Map<String, Object> custom = new TreeMap<>(manifest.custom());
    Map<String, Object> ext = new TreeMap<>();
    if (!"sqlite".equals(r.shardFormat())) {
      ext.put("shard_format", r.shardFormat());
    }
    Map<String, Object> files = new TreeMap<>();
    Map<String, Object> hashes = new TreeMap<>();
    Map<String, Object> attempts = new TreeMap<>();
    List<Shard> shards = new ArrayList<>();
    for (ShardMeta s : manifest.shards()) {
      String id = Integer.toString(s.dbId());
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
        files.put(id, fs);
      }
      if (s.contentHash() != null) {
        hashes.put(id, s.contentHash());
      }
      long attempt = attemptNumber(s);
      if (attempt > maxAttempt) {
        attempts.put(id, attempt);
        attempt = 0;
      }
      Map<String, Object> info = new TreeMap<>();
      info.put("attempt", attempt);
      info.put("duration_ms", s.writerInfo() == null ? 0 : s.writerInfo().durationMs());
      info.put("stage_id", null);
      info.put("task_attempt_id", null);
      shards.add(new Shard(s.dbId(), s.dbUrl(), attempt, s.rowCount(), s.dbBytes(),
          s.minKey() == null ? null : json(s.minKey(), manifest),
          s.maxKey() == null ? null : json(s.maxKey(), manifest), s.checkpointId(),
          json(info, manifest)));
    }
    if (!files.isEmpty()) {
      ext.put("files", files);
    }
    if (!hashes.isEmpty()) {
      ext.put("content_hash", hashes);
    }
    if (!attempts.isEmpty()) {
      ext.put("attempts", attempts);
    }
    if (!ext.isEmpty()) {
      custom.put(EXTENSION_KEY, ext);
    }
    // The Python system keeps microseconds (its created_at text, PostgreSQL's timestamptz).
    Build build = new Build(r.runId(), r.createdAt().truncatedTo(ChronoUnit.MICROS),
        r.numDbs(), r.s3Prefix(), r.keyCol(), json(shardingJson(r.sharding()), manifest),
        r.dbPathTemplate(), r.shardPrefix(), FORMAT_VERSION, r.keyEncoding(),
        json(custom, manifest));
    return new Rows(build, shards);
  }

  private static String json(Object value, Manifest m) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new ConfigValidationException("cannot encode the manifest of run " + m.runId()
          + " in the Python system's form: " + e.getOriginalMessage(), e);
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

  // ---- rows -> Manifest ----------------------------------------------------------------------

  /**
   * The manifest these rows describe, validated as the Python readers validate it (plus the
   * routing spec compiling).
   *
   * @param source the manifest's ref or URL, named in every error
   * @throws ManifestParseException naming {@code source}, the table and row, for any malformed
   *     or foreign value
   */
  public static Manifest fromRows(Rows rows, Naming naming, String source) {
    Build b = rows.build();
    String bt = naming.buildTable();
    if (b.formatVersion() != FORMAT_VERSION) {
      throw bad(naming, source, bt + ".format_version " + b.formatVersion() + " is not "
          + "supported (this reader reads the Python system's manifests of format_version "
          + FORMAT_VERSION + "); upgrade shardyfusion");
    }
    Map<String, Object> custom = parseObject(b.customJson(), naming, source, bt + ".custom");
    Map<String, Object> ext = extension(custom);
    BuildMeta required = new BuildMeta(require(b.runId(), naming, source, bt + ".run_id"),
        require(b.createdAt(), naming, source, bt + ".created_at"), b.numDbs(),
        require(b.s3Prefix(), naming, source, bt + ".s3_prefix"),
        require(b.keyCol(), naming, source, bt + ".key_col"),
        sharding(b.shardingJson(), naming, source),
        require(b.dbPathTemplate(), naming, source, bt + ".db_path_template"),
        require(b.shardPrefix(), naming, source, bt + ".shard_prefix"), b.formatVersion(),
        require(b.keyEncoding(), naming, source, bt + ".key_encoding"),
        ext.get("shard_format") instanceof String f ? f : "sqlite");
    KeyEncoding encoding;
    try {
      encoding = KeyEncoding.fromWireName(required.keyEncoding());
    } catch (ConfigValidationException e) {
      throw bad(naming, source, bt + ".key_encoding: " + e.getMessage());
    }
    Map<?, ?> files = ext.get("files") instanceof Map<?, ?> f ? f : Map.of();
    Map<?, ?> hashes = ext.get("content_hash") instanceof Map<?, ?> h ? h : Map.of();
    Map<?, ?> attempts = ext.get("attempts") instanceof Map<?, ?> a ? a : Map.of();
    List<ShardMeta> shards = new ArrayList<>();
    for (Shard s : rows.shards()) {
      String id = Integer.toString(s.dbId());
      String at = naming.shardsTable() + " row db_id=" + s.dbId();
      Object minKey = jsonKey(s.minKeyJson(), encoding, naming, source, at + ".min_key");
      Object maxKey = jsonKey(s.maxKeyJson(), encoding, naming, source, at + ".max_key");
      // The PostgreSQL layout's writer_info may be NULL; the SQLite one defaults to '{}'.
      Map<String, Object> writerInfo = s.writerInfoJson() == null ? Map.of()
          : parseObject(s.writerInfoJson(), naming, source, at + ".writer_info");
      List<ShardFile> shardFiles = files.containsKey(id)
          ? shardFiles(files.get(id), naming, source, at)
          : List.of(new ShardFile("shard.db", s.dbBytes(), null));
      long attempt = attempts.get(id) instanceof Number n ? n.longValue() : s.attempt();
      shards.add(new ShardMeta(s.dbId(), s.dbUrl(), Long.toString(attempt), s.rowCount(),
          s.dbBytes(), minKey, maxKey, shardFiles,
          writerInfo.get("duration_ms") instanceof Number n
              ? new ShardMeta.WriterInfo(writerInfo.get("writer") instanceof String w ? w : null,
                  writerInfo.get("host") instanceof String h ? h : null, n.longValue())
              : null,
          hashes.get(id) instanceof String h ? h : null, s.checkpointId()));
    }
    Map<String, Object> userCustom = new LinkedHashMap<>(custom);
    userCustom.remove(EXTENSION_KEY);
    Manifest m = new Manifest(required, shards, userCustom);
    validate(m, naming, source);
    return m;
  }

  private static List<ShardFile> shardFiles(Object spec, Naming naming, String source,
      String at) {
    if (!(spec instanceof List<?> list)) {
      throw bad(naming, source, "custom." + EXTENSION_KEY + ".files for " + at
          + " is not a list");
    }
    List<ShardFile> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> f) || !(f.get("name") instanceof String n)
          || !(f.get("size") instanceof Number size)) {
        throw bad(naming, source, "custom." + EXTENSION_KEY + ".files for " + at + " has an "
            + "entry without name and size: " + o);
      }
      out.add(new ShardFile(n, size.longValue(), f.get("crc32c") instanceof String crc ? crc
          : null));
    }
    return out;
  }

  private static ShardingMeta sharding(String json, Naming naming, String source) {
    String at = naming.buildTable() + ".sharding";
    Map<String, Object> m = parseObject(json, naming, source, at);
    Set<String> unknown = new TreeSet<>(m.keySet());
    unknown.removeAll(SHARDING_FIELDS);
    if (!unknown.isEmpty()) {
      throw bad(naming, source, at + " has field(s) " + unknown + " this reader does not "
          + "understand (it knows " + new TreeSet<>(SHARDING_FIELDS) + "); ignoring them could "
          + "misroute keys: upgrade shardyfusion to read this snapshot");
    }
    try {
      @SuppressWarnings("unchecked")
      Map<String, String> columns = (Map<String, String>) m.get("cel_columns");
      @SuppressWarnings("unchecked")
      List<Object> boundaries = (List<Object>) m.get("boundaries");
      @SuppressWarnings("unchecked")
      List<Object> routingValues = (List<Object>) m.get("routing_values");
      return new ShardingMeta((String) m.get("strategy"), (String) m.get("cel_expr"), columns,
          boundaries, (String) m.get("hash_algorithm"), routingValues);
    } catch (ClassCastException e) {
      throw bad(naming, source, at + " has a field of the wrong type (" + json + ")");
    }
  }

  /**
   * A min/max key as the Python writer stores it: {@code json.dumps} of the original key. Raw
   * keys are stored as the UTF-8 decoding of their bytes, which says little: left out.
   */
  private static Object jsonKey(String json, KeyEncoding encoding, Naming naming,
      String source, String at) {
    if (json == null) {
      return null;
    }
    Object v;
    try {
      v = JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw bad(naming, source, at + " is not JSON: " + e.getOriginalMessage());
    }
    if (encoding == KeyEncoding.RAW || v == null) {
      return null; // not comparable with raw keys' base64 form in this project's model
    }
    return v;
  }

  private static Map<String, Object> parseObject(String json, Naming naming, String source,
      String what) {
    if (json == null) {
      throw bad(naming, source, what + " is NULL");
    }
    try {
      Map<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String,
          Object>>() { });
      return m == null ? new LinkedHashMap<>() : m;
    } catch (JsonProcessingException e) {
      throw bad(naming, source, what + " is not a JSON object: " + e.getOriginalMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> extension(Map<String, Object> custom) {
    return custom.get(EXTENSION_KEY) instanceof Map<?, ?> m ? (Map<String, Object>) m
        : Map.of();
  }

  private static <T> T require(T value, Naming naming, String source, String column) {
    if (value == null) {
      throw bad(naming, source, column + " is NULL");
    }
    return value;
  }

  /** The rules both Python readers apply, plus the routing spec compiling. */
  private static void validate(Manifest m, Naming naming, String source) {
    BuildMeta r = m.required();
    String bt = naming.buildTable();
    if (r.numDbs() <= 0) {
      throw bad(naming, source, bt + ".num_dbs must be > 0, got " + r.numDbs());
    }
    if (m.shards().size() > r.numDbs()) {
      throw bad(naming, source, "lists " + m.shards().size() + " shards for num_dbs="
          + r.numDbs());
    }
    List<Object> values = r.sharding().routingValues();
    if (values != null && values.size() != r.numDbs()) {
      throw bad(naming, source, bt + ".num_dbs is " + r.numDbs() + " but sharding lists "
          + values.size() + " routing values; with categorical routing they must be equal");
    }
    if (!"xxh3_64".equals(r.sharding().hashAlgorithm())) {
      throw bad(naming, source, bt + ".sharding.hash_algorithm '"
          + r.sharding().hashAlgorithm() + "' is not supported; expected 'xxh3_64'");
    }
    try {
      r.sharding().toSpec();
    } catch (ConfigValidationException e) {
      throw bad(naming, source, bt + ".sharding: " + e.getMessage());
    }
    BitSet seen = new BitSet();
    for (ShardMeta s : m.shards()) {
      String at = naming.shardsTable() + " row db_id=" + s.dbId();
      if (s.dbId() < 0 || s.dbId() >= r.numDbs()) {
        throw bad(naming, source, at + " is outside 0.." + (r.numDbs() - 1));
      }
      if (seen.get(s.dbId())) {
        throw bad(naming, source, at + " appears twice");
      }
      seen.set(s.dbId());
      if (s.dbUrl() == null || s.dbUrl().isBlank()) {
        throw bad(naming, source, at + " has no db_url");
      }
      if (s.rowCount() < 0 || s.dbBytes() < 0) {
        throw bad(naming, source, at + " has a negative row_count or db_bytes");
      }
    }
  }

  private static ManifestParseException bad(Naming naming, String source, String problem) {
    return new ManifestParseException("malformed manifest data at " + source + ": "
        + naming.what() + " " + problem);
  }
}
