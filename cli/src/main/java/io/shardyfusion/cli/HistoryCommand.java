package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.store.ManifestEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shardy history}: published manifests, newest first, the current one marked. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "List published manifests, newest first; 'current' marks the one _CURRENT "
        + "names.",
    footer = {"", "The ref column is what --ref and 'rollback --ref' take; the position (0 = "
        + "newest) is not the --offset, which counts from the current manifest.",
        "", "Examples:",
        "  shardy history",
        "  shardy history --limit 3",
        "  shardy history | jq -r 'select(.current) | .run_id'"})
final class HistoryCommand extends OpCommand {
  @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
      description = "At most N manifests (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Result run(Session session) {
    if (limit < 1) {
      throw new UsageException("--limit must be at least 1, got " + limit);
    }
    var store = session.target().manifests();
    String current = store.loadCurrent().map(CurrentPointer::manifestRef).orElse(null);
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> text = new ArrayList<>();
    for (ManifestEntry e : store.listManifests(limit)) {
      boolean isCurrent = e.ref().equals(current);
      String created = e.createdAt() == null ? null : e.createdAt().toString();
      if (!e.valid()) {
        // Listed so an operator sees it (and rolls past it), not counted as a snapshot.
        rows.add(fields("current", isCurrent, "run_id", e.runId(), "created_at", created,
            "num_dbs", null, "shards", null, "rows", null, "ref", e.ref(),
            "problem", e.problem()));
        text.add((isCurrent ? "* " : "  ") + created + "  run " + e.runId()
            + ": UNREADABLE (" + e.problem() + ")  " + e.ref());
        continue;
      }
      rows.add(fields("current", isCurrent, "run_id", e.runId(), "created_at", created,
          "num_dbs", e.numDbs(), "shards", e.shardCount(), "rows", e.totalRows(),
          "ref", e.ref(), "problem", null));
      text.add((isCurrent ? "* " : "  ") + created + "  run " + e.runId() + ": "
          + e.totalRows() + " rows, " + e.numDbs() + " shards  " + e.ref());
    }
    if (rows.isEmpty()) {
      text.add("no manifests published under " + session.target().snapshotPrefix());
    }
    return Result.rows(rows, text);
  }
}
