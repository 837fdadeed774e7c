package io.shardyfusion.ops.cleanup;

import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.ObjectInfo;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What a plan does with the data of one run: its objects under {@code shards/run_id=<run>/}
 * and its run record.
 *
 * @param status the run record's status, or null when the run has none
 * @param leaseExpiresAt from the run record, or null
 * @param keptBecause why some (or all) of the run stays; empty when all of it goes
 * @param keptObjects objects that stay
 * @param keptBytes their size
 * @param deleteObjects objects that go (losing attempts, unreferenced shards)
 * @param deleteRecord whether the run record goes (the run has nothing left)
 */
public record RunDecision(String runId, RunStatus status, Instant leaseExpiresAt,
    Set<KeepReason> keptBecause, long keptObjects, long keptBytes,
    List<ObjectInfo> deleteObjects, boolean deleteRecord) {

  public RunDecision {
    keptBecause = KeepReason.ordered(keptBecause);
    deleteObjects = List.copyOf(deleteObjects);
  }

  public long deleteBytes() {
    return deleteObjects.stream().mapToLong(ObjectInfo::size).sum();
  }

  /** Whether nothing of the run is left afterwards. */
  public boolean deletesEverything() {
    return keptBecause.isEmpty() && keptObjects == 0 && (status == null || deleteRecord);
  }
}
