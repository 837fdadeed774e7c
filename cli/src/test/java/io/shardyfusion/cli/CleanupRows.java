package io.shardyfusion.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import java.util.ArrayList;
import java.util.List;

/** Reading {@code shardy cleanup} output and checking what it left. */
final class CleanupRows {
  private CleanupRows() {}

  /** {@code run_id=action} of each manifest row, in output order (history, newest first). */
  static List<String> manifestActions(CliRun run) {
    List<String> out = new ArrayList<>();
    for (JsonNode row : run.jsonl()) {
      if (row.get("kind").asText().equals("manifest")) {
        out.add(row.get("run_id").asText() + "=" + row.get("action").asText());
      }
    }
    return out;
  }

  /** Object keys of every file the manifest of {@code run} lists. */
  static List<String> filesOf(ThreeRunsOnS3 runs, int run) {
    List<String> keys = new ArrayList<>();
    String base = runs.prefix + "/";
    for (ShardMeta s : runs.manifest(run).shards()) {
      for (ShardFile f : s.files()) {
        keys.add(s.dbUrl().substring(base.length()) + "/" + f.name());
      }
    }
    return keys;
  }
}
