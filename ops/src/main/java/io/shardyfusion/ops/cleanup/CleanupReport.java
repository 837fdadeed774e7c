package io.shardyfusion.ops.cleanup;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link Cleanup#execute} deleted, and which runs it kept and why.
 *
 * @param runsDeleted runs of which nothing is left
 * @param runsKept run id to the reasons (some of) it stays
 */
public record CleanupReport(int manifestsDeleted, List<String> runsDeleted,
    long objectsDeleted, long bytesDeleted, int runRecordsDeleted,
    Map<String, Set<KeepReason>> runsKept) {

  public CleanupReport {
    runsDeleted = List.copyOf(runsDeleted);
    runsKept = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(runsKept));
  }

  @Override
  public String toString() {
    return "deleted " + manifestsDeleted + " manifests, " + objectsDeleted + " objects ("
        + bytesDeleted + " bytes), " + runRecordsDeleted + " run records; runs deleted "
        + runsDeleted + "; runs kept " + runsKept;
  }
}
