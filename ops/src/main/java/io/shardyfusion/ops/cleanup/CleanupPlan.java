package io.shardyfusion.ops.cleanup;

import io.shardyfusion.storage.ObjectInfo;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a cleanup will delete and what it keeps and why; immutable. A dry run prints it
 * ({@link #render()}) or serializes it as JSON (plain record components), and deletes nothing.
 *
 * <pre>{@code
 * CleanupPlan plan = CleanupPlanner.plan(manifests, objects, policy, Clock.systemUTC());
 * System.out.println(plan.render());
 * mapper.writeValueAsString(plan);   // for --json
 * }</pre>
 *
 * @param location where the manifests live and where the shards live, for messages
 * @param currentRef the manifest {@code _CURRENT} pointed at when planning, or null
 * @param manifests every manifest of history, newest first
 * @param runs every run with data or a record under the prefix, by run id
 */
public record CleanupPlan(Instant plannedAt, String policy, String location, String currentRef,
    List<ManifestDecision> manifests, List<RunDecision> runs) {

  public CleanupPlan {
    manifests = List.copyOf(manifests);
    runs = List.copyOf(runs);
  }

  public List<String> manifestsToDelete() {
    return manifests.stream().filter(ManifestDecision::delete).map(ManifestDecision::ref)
        .toList();
  }

  public Set<String> keptManifestRefs() {
    return manifests.stream().filter(m -> !m.delete()).map(ManifestDecision::ref)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Every shard object key that goes, over all runs. */
  public List<String> objectKeysToDelete() {
    return runs.stream().flatMap(r -> r.deleteObjects().stream()).map(ObjectInfo::key).toList();
  }

  public long objectsToDelete() {
    return runs.stream().mapToLong(r -> r.deleteObjects().size()).sum();
  }

  public long bytesToDelete() {
    return runs.stream().mapToLong(RunDecision::deleteBytes).sum();
  }

  /** Runs whose run record goes. */
  public List<String> runRecordsToDelete() {
    return runs.stream().filter(RunDecision::deleteRecord).map(RunDecision::runId).toList();
  }

  /** Whether executing it would delete nothing. */
  public boolean isEmpty() {
    return manifestsToDelete().isEmpty() && objectsToDelete() == 0
        && runRecordsToDelete().isEmpty();
  }

  /** A listing for people: every manifest and run with its fate, then totals. */
  public String render() {
    StringBuilder s = new StringBuilder();
    s.append("cleanup plan for ").append(location).append(" at ").append(plannedAt)
        .append(" (").append(policy).append(")\n");
    s.append("current: ").append(currentRef == null ? "<none>" : currentRef).append('\n');
    s.append("manifests (newest first):\n");
    for (ManifestDecision m : manifests) {
      s.append(m.delete() ? "  delete " : "  keep   ").append(m.ref()).append(" (run ")
          .append(m.runId()).append(", ").append(m.createdAt()).append(')');
      if (!m.delete()) {
        s.append(": ").append(reasons(m.keptBecause()));
      }
      s.append('\n');
    }
    s.append("runs:\n");
    for (RunDecision r : runs) {
      s.append("  ").append(r.runId()).append(" [")
          .append(r.status() == null ? "no record" : r.status()).append("]: ");
      if (r.deletesEverything()) {
        s.append("delete all, ").append(r.deleteObjects().size()).append(" objects (")
            .append(r.deleteBytes()).append(" bytes)");
      } else {
        s.append("keep ").append(r.keptObjects()).append(" objects (").append(r.keptBytes())
            .append(" bytes): ").append(reasons(r.keptBecause()));
        if (!r.deleteObjects().isEmpty()) {
          s.append("; delete ").append(r.deleteObjects().size()).append(" objects (")
              .append(r.deleteBytes()).append(" bytes)");
        }
      }
      if (r.deleteRecord()) {
        s.append(" and the run record");
      }
      s.append('\n');
    }
    s.append("total: delete ").append(manifestsToDelete().size()).append(" manifests, ")
        .append(objectsToDelete()).append(" objects (").append(bytesToDelete())
        .append(" bytes), ").append(runRecordsToDelete().size()).append(" run records\n");
    return s.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  private static String reasons(Set<KeepReason> reasons) {
    return reasons.stream().sorted().map(KeepReason::description)
        .collect(Collectors.joining(", "));
  }
}
