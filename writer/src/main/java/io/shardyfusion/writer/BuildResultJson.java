package io.shardyfusion.writer;

import io.shardyfusion.errors.ConfigValidationException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardyfusion.manifest.ShardMeta;

/** The JSON every command prints for a {@link BuildResult}, so that they all read the same. */
public final class BuildResultJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BuildResultJson() {}

  public static ObjectNode toTree(BuildResult r) {
    BuildStats s = r.stats();
    ObjectNode n = JSON.createObjectNode();
    n.put("run_id", r.runId());
    n.put("manifest_ref", r.manifestRef());
    n.put("rows_written", s.rowsWritten());
    n.put("bytes_written", s.bytesWritten());
    n.put("num_dbs", s.numDbs());
    n.put("num_winners", s.numWinners());
    n.put("num_attempts", s.numAttemptResults());
    ArrayNode winners = n.putArray("winners");
    for (ShardMeta m : r.winners()) {
      ObjectNode w = winners.addObject();
      w.put("db_id", m.dbId());
      w.put("row_count", m.rowCount());
      w.put("db_bytes", m.dbBytes());
      w.set("min_key", JSON.valueToTree(m.minKey()));
      w.set("max_key", JSON.valueToTree(m.maxKey()));
      w.put("db_url", m.dbUrl());
    }
    ObjectNode phases = n.putObject("phase_ms");
    phases.put("sharding", s.shardingMs());
    phases.put("write", s.writeMs());
    phases.put("manifest", s.manifestMs());
    phases.put("total", s.totalMs());
    n.put("rows_per_second", Math.round(s.rowsPerSecond()));
    return n;
  }

  /** Pretty-printed {@link #toTree}. */
  public static String toJson(BuildResult r) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(r));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Only custom fields the caller gave can fail to serialise.
      throw new ConfigValidationException("cannot print the build result of run " + r.runId()
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
