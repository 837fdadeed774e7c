package io.shardyfusion.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
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
import java.util.regex.Pattern;

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
  private static final Pattern CRC32C_HEX = Pattern.compile("[0-9a-f]{8}");
  // A backend name picks code through ServiceLoader and names cache directories: plain only.
  private static final Pattern SHARD_FORMAT_NAME = Pattern.compile("[a-z0-9_-]{1,64}");
  // Python's json.dumps(sort_keys=True) spelling is what its readers compare; compact is fine
  // for them (they parse), sorted keys keep our bytes deterministic.
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private PythonManifestRows() {}

  /**
   * The build row; {@code shardingJson} and {@code customJson} are JSON objects as text.
   * {@code numDbs} and {@code formatVersion} are {@code long} so that a container's 64-bit
   * integer reaches the range checks unwrapped.
   */
  public record Build(String runId, Instant createdAt, long numDbs, String s3Prefix,
      String keyCol, String shardingJson, String dbPathTemplate, String shardPrefix,
      long formatVersion, String keyEncoding, String customJson) {}

  /** A shard row; the JSON columns are JSON text or null; {@code dbId} unwrapped as numDbs. */
  public record Shard(long dbId, String dbUrl, long attempt, long rowCount, long dbBytes,
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
   * The checks on a build row that bound what reading its shard rows may cost: the format
   * version, and {@code num_dbs} within {@code 1..}{@link ManifestLimits#MAX_NUM_DBS}. A
   * container that can count its shard rows calls this, then {@link #checkShardRowCount},
   * before it reads them; {@link #fromRows} checks both again.
   *
   * @throws ManifestParseException naming {@code source} and the column
   */
  public static void checkBuild(Build b, Naming naming, String source) {
    String bt = naming.buildTable();
    if (b.formatVersion() != FORMAT_VERSION) {
      throw bad(naming, source, bt + ".format_version " + b.formatVersion() + " is not "
          + "supported (this reader reads the Python system's manifests of format_version "
          + FORMAT_VERSION + "); upgrade shardyfusion");
    }
    if (b.numDbs() <= 0 || b.numDbs() > ManifestLimits.MAX_NUM_DBS) {
      throw bad(naming, source, bt + ".num_dbs " + b.numDbs() + " is outside 1.."
          + ManifestLimits.MAX_NUM_DBS + " (the most shards a reader holds): the manifest is "
          + "damaged or not a shardyfusion manifest");
    }
  }

  /**
   * Refuses more shard rows than {@code num_dbs} (a snapshot has at most one row per shard), so
   * a container that counts its rows first never materialises more than a reader holds.
   */
  public static void checkShardRowCount(Build b, long shardRows, Naming naming,
      String source) {
    if (shardRows > b.numDbs()) {
      throw bad(naming, source, "has " + shardRows + " shard rows for num_dbs=" + b.numDbs()
          + "; a snapshot has at most num_dbs shards");
    }
  }

  /**
   * The manifest these rows describe, validated as the Python readers validate it, plus the
   * routing spec compiling, the JSON columns' types, min/max keys of the key encoding and
   * {@link ManifestChecks}.
   *
   * @param source the manifest's ref or URL, named in every error
   * @throws ManifestParseException naming {@code source}, the table and row, for any malformed
   *     or foreign value
   */
  public static Manifest fromRows(Rows rows, Naming naming, String source) {
    Build b = rows.build();
    String bt = naming.buildTable();
    checkBuild(b, naming, source);
    checkShardRowCount(b, rows.shards().size(), naming, source);
    int numDbs = (int) b.numDbs(); // in range: checkBuild
    // Ids first, before any JSON of a row is parsed.
    BitSet seen = new BitSet();
    for (Shard s : rows.shards()) {
      String at = naming.shardsTable() + " row db_id=" + s.dbId();
      if (s.dbId() < 0 || s.dbId() >= numDbs) {
        throw bad(naming, source, at + " is outside 0.." + (numDbs - 1));
      }
      if (seen.get((int) s.dbId())) {
        throw bad(naming, source, at + " is listed twice: a shard has one row");
      }
      seen.set((int) s.dbId());
    }
    Map<String, Object> custom = parseObject(b.customJson(), naming, source, bt + ".custom");
    Map<String, Object> ext = extension(custom, naming, source);
    Object shardFormat = ext.getOrDefault("shard_format", "sqlite");
    if (!(shardFormat instanceof String format)
        || !SHARD_FORMAT_NAME.matcher(format).matches()) {
      throw bad(naming, source, bt + ".custom." + EXTENSION_KEY + ".shard_format '"
          + abbreviate(shardFormat) + "' is not a backend name (lowercase letters, digits, '-' "
          + "or '_')");
    }
    BuildMeta required = new BuildMeta(require(b.runId(), naming, source, bt + ".run_id"),
        require(b.createdAt(), naming, source, bt + ".created_at"), numDbs,
        require(b.s3Prefix(), naming, source, bt + ".s3_prefix"),
        require(b.keyCol(), naming, source, bt + ".key_col"),
        sharding(b.shardingJson(), naming, source),
        require(b.dbPathTemplate(), naming, source, bt + ".db_path_template"),
        require(b.shardPrefix(), naming, source, bt + ".shard_prefix"), FORMAT_VERSION,
        require(b.keyEncoding(), naming, source, bt + ".key_encoding"), format);
    KeyEncoding encoding;
    try {
      encoding = KeyEncoding.fromWireName(required.keyEncoding());
    } catch (ConfigValidationException e) {
      throw bad(naming, source, bt + ".key_encoding: " + e.getMessage());
    }
    String extAt = bt + ".custom." + EXTENSION_KEY;
    Map<?, ?> files = objectField(ext, "files", naming, source, extAt);
    Map<?, ?> hashes = objectField(ext, "content_hash", naming, source, extAt);
    Map<?, ?> attempts = objectField(ext, "attempts", naming, source, extAt);
    List<ShardMeta> shards = new ArrayList<>();
    for (Shard s : rows.shards()) {
      String id = Long.toString(s.dbId());
      String at = naming.shardsTable() + " row db_id=" + s.dbId();
      Object minKey = jsonKey(s.minKeyJson(), encoding, naming, source, at + ".min_key");
      Object maxKey = jsonKey(s.maxKeyJson(), encoding, naming, source, at + ".max_key");
      // The PostgreSQL layout's writer_info may be NULL; the SQLite one defaults to '{}'.
      Map<String, Object> writerInfo = s.writerInfoJson() == null ? Map.of()
          : parseObject(s.writerInfoJson(), naming, source, at + ".writer_info");
      List<ShardFile> shardFiles = files.containsKey(id)
          ? shardFiles(files.get(id), naming, source, extAt + ".files for " + at)
          : List.of(new ShardFile("shard.db", s.dbBytes(), null));
      long attempt = s.attempt();
      if (attempts.containsKey(id)) {
        Object a = attempts.get(id);
        if (!(a instanceof Integer || a instanceof Long)) {
          throw bad(naming, source, extAt + ".attempts for " + at + " is " + abbreviate(a)
              + "; expected an integer");
        }
        attempt = ((Number) a).longValue();
      }
      shards.add(new ShardMeta((int) s.dbId(), s.dbUrl(), Long.toString(attempt),
          s.rowCount(), s.dbBytes(), minKey, maxKey, shardFiles,
          // operator information only: a value of the wrong type is dropped, not an error
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

  /** An optional JSON object field of the extension; absent or null is empty. */
  private static Map<?, ?> objectField(Map<String, Object> ext, String field, Naming naming,
      String source, String extAt) {
    Object v = ext.get(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw bad(naming, source, extAt + "." + field + " is " + abbreviate(v) + "; expected an "
          + "object of db id -> value");
    }
    return m;
  }

  private static List<ShardFile> shardFiles(Object spec, Naming naming, String source,
      String at) {
    if (!(spec instanceof List<?> list)) {
      throw bad(naming, source, at + " is not a list");
    }
    if (list.size() > ManifestLimits.MAX_FILES_PER_SHARD) {
      throw bad(naming, source, at + " lists " + list.size() + " files, more than "
          + ManifestLimits.MAX_FILES_PER_SHARD);
    }
    List<ShardFile> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> f) || !(f.get("name") instanceof String n)
          || !(f.get("size") instanceof Integer || f.get("size") instanceof Long)) {
        throw bad(naming, source, at + " has an entry without a name and an integer size: "
            + abbreviate(o));
      }
      Object crc = f.get("crc32c");
      if (crc != null && !(crc instanceof String c && CRC32C_HEX.matcher(c).matches())) {
        throw bad(naming, source, at + " file " + n + " has crc32c '" + abbreviate(crc)
            + "'; expected 8 lowercase hex digits");
      }
      out.add(new ShardFile(n, ((Number) f.get("size")).longValue(), (String) crc));
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
    Map<String, String> columns = null;
    Object cols = m.get("cel_columns");
    if (cols != null) {
      if (!(cols instanceof Map<?, ?> colMap)) {
        throw bad(naming, source, at + ".cel_columns is " + abbreviate(cols) + "; expected an "
            + "object of column -> type");
      }
      columns = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : colMap.entrySet()) {
        if (!(e.getValue() instanceof String type)) {
          throw bad(naming, source, at + ".cel_columns type of column '" + e.getKey() + "' is "
              + abbreviate(e.getValue()) + "; expected one of "
              + new TreeSet<>(ShardingSpec.CEL_COLUMN_TYPES));
        }
        columns.put((String) e.getKey(), type);
      }
    }
    return new ShardingMeta(textField(m, "strategy", naming, source, at),
        textField(m, "cel_expr", naming, source, at), columns,
        listField(m, "boundaries", naming, source, at),
        textField(m, "hash_algorithm", naming, source, at),
        listField(m, "routing_values", naming, source, at));
  }

  private static String textField(Map<String, Object> sharding, String field, Naming naming,
      String source, String at) {
    Object v = sharding.get(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw bad(naming, source, at + "." + field + " is " + abbreviate(v) + "; expected a "
        + "string");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> listField(Map<String, Object> sharding, String field,
      Naming naming, String source, String at) {
    Object v = sharding.get(field);
    if (v == null || v instanceof List<?>) {
      return (List<Object>) v;
    }
    throw bad(naming, source, at + "." + field + " is " + abbreviate(v) + "; expected a list");
  }

  /**
   * A min/max key as the Python writer stores it: {@code json.dumps} of the original key,
   * which must be a key of the manifest's encoding. Raw keys are stored as the UTF-8 decoding
   * of their bytes, which says little: left out.
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
    try {
      encoding.fromJsonValue(v);
    } catch (RuntimeException e) { // ClassCastException for an object or list, range errors
      throw bad(naming, source, at + " " + abbreviate(json) + " is not a key of encoding "
          + encoding.wireName());
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

  /** This project's extension in custom; absent is empty, any other non-object an error. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> extension(Map<String, Object> custom, Naming naming,
      String source) {
    Object ext = custom.get(EXTENSION_KEY);
    if (ext == null) {
      return Map.of();
    }
    if (!(ext instanceof Map<?, ?> m)) {
      throw bad(naming, source, naming.buildTable() + ".custom." + EXTENSION_KEY + " is "
          + abbreviate(ext) + "; expected an object");
    }
    return (Map<String, Object>) m;
  }

  private static <T> T require(T value, Naming naming, String source, String column) {
    if (value == null) {
      throw bad(naming, source, column + " is NULL");
    }
    return value;
  }

  private static String abbreviate(Object v) {
    String s = String.valueOf(v);
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /**
   * The rules both Python readers apply, plus the routing spec compiling and the checks every
   * manifest format shares ({@link ManifestChecks}: db_url and file names, sizes).
   */
  private static void validate(Manifest m, Naming naming, String source) {
    BuildMeta r = m.required();
    String bt = naming.buildTable();
    List<Object> values = r.sharding().routingValues();
    if (values != null && values.size() != r.numDbs()) {
      throw bad(naming, source, bt + ".num_dbs is " + r.numDbs() + " but sharding lists "
          + values.size() + " routing values; with categorical routing they must be equal");
    }
    if (!"xxh3_64".equals(r.sharding().hashAlgorithm())) {
      throw bad(naming, source, bt + ".sharding.hash_algorithm '"
          + abbreviate(r.sharding().hashAlgorithm()) + "' is not supported; expected "
          + "'xxh3_64'");
    }
    try {
      r.sharding().toSpec();
    } catch (ConfigValidationException e) {
      throw bad(naming, source, bt + ".sharding: " + e.getMessage());
    }
    ManifestChecks.validate(m, source);
  }

  private static ManifestParseException bad(Naming naming, String source, String problem) {
    return new ManifestParseException("malformed manifest data at " + source + ": "
        + naming.what() + " " + problem);
  }
}
