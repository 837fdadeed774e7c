package io.shardyfusion.layout;

import io.shardyfusion.errors.ConfigValidationException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object keys under a snapshot prefix; the contract between every writer and every reader.
 *
 * <pre>
 * shards/run_id=&lt;run&gt;/db=&lt;00000&gt;/attempt=&lt;id&gt;/&lt;file&gt;   one directory per attempt
 * manifests/&lt;yyyyMMdd'T'HHmmss.SSS'Z'&gt;_run_id=&lt;run&gt;/manifest   sortable by time
 * _CURRENT                                                  pointer to the live manifest
 * runs/&lt;yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'&gt;_run_id=&lt;run&gt;_&lt;uuid hex&gt;/run.yaml   run record
 * runs/run_id=&lt;run&gt;/_RUN                                    legacy run record (read only)
 * </pre>
 *
 * <p>A run record is written before a run uploads its first shard object, so retention
 * cleanup can tell a run in progress (live lease) from the leftovers of a dead one. Run records
 * are the Python system's run registry documents (its {@code run_registry.py}): the time in the
 * key is when the record was created and the uuid makes it unique, so one run may have several
 * records (see {@link io.shardyfusion.runs.RunRecords}). Writers before run.yaml wrote
 * {@code runs/run_id=<run>/_RUN} (JSON); those are still read and honoured.
 */
public final class SnapshotLayout {
  public static final String CURRENT = "_CURRENT";
  public static final String SHARDS = "shards";
  public static final String MANIFESTS = "manifests";
  public static final String RUNS = "runs";
  /** The legacy run record's name: {@code runs/run_id=<run>/_RUN}. Read, never written. */
  public static final String RUN_RECORD = "_RUN";
  /** The run record's name, as in the Python system: {@code runs/<time>_run_id=<run>_<uuid>/run.yaml}. */
  public static final String RUN_YAML = "run.yaml";

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern ATTEMPT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern ATTEMPT_DIR =
      Pattern.compile("shards/run_id=([^/]+)/db=(\\d+)/attempt=([^/]+)/.*");
  private static final Pattern RUN_RECORD_KEY = Pattern.compile("runs/run_id=([^/]+)/_RUN");
  /**
   * A run.yaml key. The run id may contain '_', so it is what lies between {@code _run_id=} and
   * the last {@code _<32 hex>}; matching a substring {@code _run_id=<run>_} would also match a
   * run whose id starts with {@code <run>_}.
   */
  private static final Pattern RUN_YAML_KEY =
      Pattern.compile("runs/([^/_]+)_run_id=([^/]+)_([0-9a-f]{32})/run\\.yaml");
  private static final Pattern RUN_SHARD_KEY = Pattern.compile("shards/run_id=([^/]+)/.*");
  private static final Pattern MANIFEST_KEY =
      Pattern.compile("manifests/([^/_]+)_run_id=([^/]+)/manifest");
  private static final DateTimeFormatter MANIFEST_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  /** The Python system's manifest directory time: {@code 2026-12-01T20:49:51.180711Z}. */
  private static final DateTimeFormatter PYTHON_MANIFEST_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private SnapshotLayout() {}

  public static String validateRunId(String runId) {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      throw new ConfigValidationException("runId '" + runId + "' is invalid: use 1-128 "
          + "characters from letters, digits, '.', '_' and '-', starting with a letter or digit");
    }
    return runId;
  }

  public static String validateAttempt(String attempt) {
    if (attempt == null || !ATTEMPT.matcher(attempt).matches()) {
      throw new ConfigValidationException("attempt id '" + attempt + "' is invalid: use 1-64 "
          + "characters from letters, digits, '.', '_' and '-'");
    }
    return attempt;
  }

  /** Everything one run wrote under {@code shards/}. */
  public static String runShardsPrefix(String runId) {
    return SHARDS + "/run_id=" + runId + "/";
  }

  /** The directory of one attempt at one shard (no trailing slash). */
  public static String attemptDir(String runId, int dbId, String attempt) {
    // Numbered attempts as the Python system names them (attempt=00); older hex ids as they are.
    String a = !attempt.isEmpty() && attempt.chars().allMatch(Character::isDigit)
        ? String.format("%02d", Long.parseLong(attempt)) : attempt;
    return String.format("%s/run_id=%s/db=%05d/attempt=%s", SHARDS, runId, dbId, a);
  }

  /**
   * The manifest key of a run, named as the Python system names it
   * ({@code manifests/2026-12-01T20:49:51.180711Z_run_id=<run>/manifest}), so that both systems'
   * history lists it; {@link #parseManifestKey} also reads this project's earlier names.
   */
  public static String manifestKey(Instant createdAt, String runId) {
    return MANIFESTS + "/" + PYTHON_MANIFEST_TIME.format(createdAt) + "_run_id=" + runId
        + "/manifest";
  }

  /** The legacy run record of {@code runId}: {@code runs/run_id=<run>/_RUN} (read only). */
  public static String legacyRunRecordKey(String runId) {
    return RUNS + "/run_id=" + runId + "/" + RUN_RECORD;
  }

  /**
   * A new run record key of {@code runId}, as the Python system names them:
   * {@code runs/2026-12-01T21:10:41.486202Z_run_id=<run>_<uuid4 hex>/run.yaml}.
   *
   * @param createdAt when the record is created (kept to the microsecond)
   * @param uuidHex 32 lowercase hex digits (a random UUID without dashes)
   */
  public static String runRecordKey(Instant createdAt, String runId, String uuidHex) {
    return RUNS + "/" + PYTHON_MANIFEST_TIME.format(createdAt) + "_run_id=" + runId + "_"
        + uuidHex + "/" + RUN_YAML;
  }

  /**
   * The run id of a run record key (run.yaml or legacy _RUN), or null for other keys, including
   * a run.yaml whose directory does not follow the naming.
   */
  public static String parseRunRecordKey(String key) {
    Matcher m = RUN_YAML_KEY.matcher(key);
    if (m.matches()) {
      return m.group(2);
    }
    m = RUN_RECORD_KEY.matcher(key);
    return m.matches() ? m.group(1) : null;
  }

  /** Whether {@code key} is a legacy {@code _RUN} record (JSON) rather than a run.yaml. */
  public static boolean isLegacyRunRecordKey(String key) {
    return RUN_RECORD_KEY.matcher(key).matches();
  }

  /** The Python system's run record time: microseconds and Z, e.g. {@code 2026-12-01T21:10:41.486202Z}. */
  public static String runRecordTime(Instant t) {
    return PYTHON_MANIFEST_TIME.format(t);
  }

  /** The run id of any key under {@code shards/run_id=<run>/}, or null for other keys. */
  public static String runIdOfShardKey(String key) {
    Matcher m = RUN_SHARD_KEY.matcher(key);
    return m.matches() ? m.group(1) : null;
  }
  /**
   * (createdAt, runId) that a manifest key encodes, or null for a key outside the manifest
   * layout. Lets history name a manifest whose document cannot be read.
   */
  public static ManifestKey parseManifestKey(String key) {
    Matcher m = MANIFEST_KEY.matcher(key);
    if (!m.matches()) {
      return null;
    }
    for (DateTimeFormatter f : List.of(MANIFEST_TIME, PYTHON_MANIFEST_TIME)) {
      try {
        return new ManifestKey(Instant.from(f.parse(m.group(1))), m.group(2));
      } catch (java.time.format.DateTimeParseException e) {
        // try the other naming
      }
    }
    return new ManifestKey(null, m.group(2));
  }

  /** What a manifest key says about its run. */
  public record ManifestKey(Instant createdAt, String runId) {}

  /** (runId, dbId, attempt) of a key inside an attempt directory, or null for other keys. */
  public static AttemptKey parseAttemptKey(String key) {
    Matcher m = ATTEMPT_DIR.matcher(key);
    if (!m.matches()) {
      return null;
    }
    return new AttemptKey(m.group(1), Integer.parseInt(m.group(2)), m.group(3));
  }

  /** Where a key sits in the attempt layout. */
  public record AttemptKey(String runId, int dbId, String attempt) {}
}
