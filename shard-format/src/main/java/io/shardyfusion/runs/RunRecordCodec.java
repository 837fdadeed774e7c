package io.shardyfusion.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestLimits;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two encodings of a {@link RunRecord}: the Python system's run.yaml (what writers write)
 * and our legacy {@code _RUN} JSON (read, and rewritten only to finish a run that has one).
 *
 * <p>run.yaml follows {@code run_registry.py}: keys sorted, every Python field present ({@code
 * null} when unset), status {@code running|succeeded|failed} (our RUNNING|PUBLISHED|FAILED),
 * times as strings with microseconds and Z. Strings are double-quoted, so a YAML loader never
 * turns a time or a numeric run id into another type. Unknown keys are ignored on read.
 */
public final class RunRecordCodec {
  /** What Python's registry sends. */
  public static final String YAML_CONTENT_TYPE = "application/x-yaml";

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private RunRecordCodec() {}

  /** The run.yaml document of {@code r}. */
  public static byte[] toYaml(RunRecord r) {
    Map<String, Object> doc = new TreeMap<>();
    doc.put("format_version", RunRecord.FORMAT_VERSION);
    doc.put("run_id", r.runId());
    doc.put("writer_type", r.writerType());
    doc.put("status", pythonStatus(r.status()));
    doc.put("started_at", SnapshotLayout.runRecordTime(r.startedAt()));
    doc.put("updated_at", SnapshotLayout.runRecordTime(r.updatedAt()));
    doc.put("lease_expires_at", SnapshotLayout.runRecordTime(r.leaseExpiresAt()));
    doc.put("s3_prefix", r.s3Prefix());
    doc.put("shard_prefix", r.shardPrefix());
    doc.put("db_path_template", r.dbPathTemplate());
    doc.put("manifest_ref", r.manifestRef());
    doc.put("error_type", r.errorType());
    doc.put("error_message", r.errorMessage());
    putExtras(doc, r);
    return encode(YAML, doc, r);
  }

  /** The legacy {@code _RUN} JSON of {@code r} (only to finish a run that has one). */
  public static byte[] toJson(RunRecord r) {
    Map<String, Object> doc = new TreeMap<>();
    doc.put("run_id", r.runId());
    doc.put("status", r.status().name());
    doc.put("started_at", r.startedAt().toString());
    doc.put("updated_at", r.updatedAt().toString());
    doc.put("lease_expires_at", r.leaseExpiresAt().toString());
    doc.put("format_version", RunRecord.FORMAT_VERSION);
    putExtras(doc, r);
    return encode(ManifestCodec.mapper(), doc, r);
  }

  private static byte[] encode(ObjectMapper mapper, Map<String, Object> doc, RunRecord r) {
    try {
      return mapper.writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      // Strings, numbers and maps always serialise; Jackson declares the failure anyway.
      throw new ManifestParseException("cannot encode run record " + r.runId() + ": "
          + e.getOriginalMessage(), e);
    }
  }

  private static void putExtras(Map<String, Object> doc, RunRecord r) {
    if (r.basedOn() != null) {
      doc.put("based_on", r.basedOn());
    }
    if (r.manifestStore() != null) {
      doc.put("manifest_store", r.manifestStore());
    }
    if (r.writer() != null) {
      Map<String, Object> w = new TreeMap<>();
      if (r.writer().engine() != null) {
        w.put("engine", r.writer().engine());
      }
      if (r.writer().host() != null) {
        w.put("host", r.writer().host());
      }
      if (r.writer().pid() != null) {
        w.put("pid", r.writer().pid());
      }
      doc.put("writer", w);
    }
  }

  /**
   * Reads a run.yaml (any writer's, Python's too).
   *
   * @param key the object's key, kept in the record
   * @param source where the bytes came from, quoted in error messages
   * @throws ManifestParseException if the YAML is malformed, a field we need is missing or
   *     unreadable, or the format is newer than this library
   */
  public static RunRecord parseYaml(byte[] yaml, String key, String source) {
    checkSize(yaml, source);
    JsonNode n;
    try {
      n = YAML.readTree(yaml);
    } catch (IOException e) {
      throw invalid(source, e.getMessage(), e);
    }
    return fromNode(n, key, source, true);
  }

  /**
   * Reads a legacy {@code _RUN} JSON record.
   *
   * @throws ManifestParseException if the JSON is malformed or a required field is missing
   */
  public static RunRecord parse(byte[] json, String key, String source) {
    checkSize(json, source);
    JsonNode n;
    try {
      n = ManifestCodec.mapper().readTree(json);
    } catch (IOException e) {
      throw invalid(source, e.getMessage(), e);
    }
    return fromNode(n, key, source, false);
  }

  private static void checkSize(byte[] bytes, String source) {
    if (bytes == null || bytes.length == 0) {
      throw invalid(source, "the object is empty", null);
    }
    if (bytes.length > ManifestLimits.MAX_RUN_RECORD_BYTES) {
      throw new ManifestParseException("run record " + source + " is " + bytes.length
          + " bytes, more than the " + ManifestLimits.MAX_RUN_RECORD_BYTES + " bytes a run "
          + "record may have: it is not a run record, or its writer is broken; delete it if "
          + "the run is over");
    }
  }

  private static RunRecord fromNode(JsonNode n, String key, String source, boolean python) {
    if (n == null || !n.isObject()) {
      throw invalid(source, "not a mapping", null);
    }
    String runId = text(n, "run_id");
    String statusText = text(n, "status");
    RunStatus status = statusText == null ? null : python ? fromPython(statusText)
        : legacyStatus(statusText);
    JsonNode fv = n.get("format_version");
    // asInt would wrap 2^32+1 to 1: only an integer that fits counts
    int formatVersion = fv == null || fv.isNull() ? RunRecord.FORMAT_VERSION
        : fv.isIntegralNumber() && fv.canConvertToInt() ? fv.intValue() : -1;
    String problem = runId == null || runId.isBlank() ? "run_id is missing"
        : statusText == null ? "status is missing"
        : status == null ? "status '" + statusText + "' is not running, succeeded or failed"
        : missing(n, "started_at") ? "started_at is missing"
        : missing(n, "updated_at") ? "updated_at is missing"
        : missing(n, "lease_expires_at") ? "lease_expires_at is missing"
        : formatVersion < 1 || formatVersion > RunRecord.FORMAT_VERSION
            ? "format_version " + fv + " is not supported; upgrade shardyfusion"
        : null;
    if (problem != null) {
      throw new ManifestParseException("run record " + source + ": " + problem);
    }
    JsonNode w = n.get("writer");
    RunRecord.Writer writer = w == null || !w.isObject() ? null
        : new RunRecord.Writer(text(w, "host"),
            w.hasNonNull("pid") ? w.get("pid").asLong() : null, text(w, "engine"));
    return new RunRecord(runId, status, time(n, "started_at", source),
        time(n, "updated_at", source), time(n, "lease_expires_at", source), writer,
        text(n, "based_on"), formatVersion, text(n, "manifest_store"), text(n, "writer_type"),
        text(n, "s3_prefix"), text(n, "shard_prefix"), text(n, "db_path_template"),
        text(n, "manifest_ref"), text(n, "error_type"), text(n, "error_message"), key, null);
  }

  /** Python's name of a status. */
  public static String pythonStatus(RunStatus s) {
    return switch (s) {
      case RUNNING -> "running";
      case PUBLISHED -> "succeeded";
      case FAILED -> "failed";
    };
  }

  private static RunStatus fromPython(String s) {
    return switch (s) {
      case "running" -> RunStatus.RUNNING;
      case "succeeded" -> RunStatus.PUBLISHED;
      case "failed" -> RunStatus.FAILED;
      default -> null;
    };
  }

  private static RunStatus legacyStatus(String s) {
    try {
      return RunStatus.valueOf(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean missing(JsonNode n, String field) {
    return !n.hasNonNull(field) || n.get(field).asText().isBlank();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** ISO-8601 with an offset: Python's {@code ...780566Z}, {@code +00:00}, or ours. */
  private static Instant time(JsonNode n, String field, String source) {
    String s = n.get(field).asText();
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new ManifestParseException("run record " + source + ": " + field + " '" + s
          + "' is not an ISO-8601 time with an offset", e);
    }
  }

  private static ManifestParseException invalid(String source, String why, Exception cause) {
    return new ManifestParseException("run record " + source + " is not valid: " + why
        + "; delete it if the run is over, cleanup then treats the run by the age of its "
        + "uploads", cause);
  }
}
