package io.shardyfusion.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.manifest.ManifestCodec;
import java.io.IOException;

/**
 * JSON for {@link RunRecord}s, with the manifest codec's settings: ISO-8601 times, and fields
 * added by newer writers are ignored.
 */
public final class RunRecordCodec {
  private RunRecordCodec() {}

  public static byte[] toJson(RunRecord record) {
    try {
      return ManifestCodec.mapper().writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      // A record of our own fields always serialises; Jackson declares the failure anyway.
      throw new ManifestParseException("cannot encode run record " + record.runId() + ": "
          + e.getOriginalMessage(), e);
    }
  }

  /**
   * @param source where the bytes came from, quoted in error messages
   * @throws ManifestParseException if the JSON is malformed or a required field is missing
   */
  public static RunRecord parse(byte[] json, String source) {
    RunRecord r;
    try {
      r = ManifestCodec.mapper().readValue(json, RunRecord.class);
    } catch (JsonProcessingException e) {
      throw new ManifestParseException("run record " + source + " is not valid: "
          + e.getOriginalMessage() + "; delete it if the run is over, cleanup then treats the "
          + "run by the age of its uploads", e);
    } catch (IOException e) {
      // Parsing bytes in memory does no I/O; Jackson declares it anyway.
      throw new ManifestParseException("run record " + source + " cannot be read: " + e, e);
    }
    String problem = r.runId() == null || r.runId().isBlank() ? "run_id is missing"
        : r.status() == null ? "status is missing"
        : r.startedAt() == null ? "started_at is missing"
        : r.updatedAt() == null ? "updated_at is missing"
        : r.leaseExpiresAt() == null ? "lease_expires_at is missing"
        : r.formatVersion() < 1 || r.formatVersion() > RunRecord.FORMAT_VERSION
            ? "format_version " + r.formatVersion() + " is not supported; upgrade shardyfusion"
        : null;
    if (problem != null) {
      throw new ManifestParseException("run record " + source + ": " + problem);
    }
    return r;
  }
}
