package io.shardyfusion.ops.cleanup;

import java.time.Instant;
import java.util.Set;

/**
 * What a plan does with one manifest of history.
 *
 * @param keptBecause empty when the manifest is deleted
 */
public record ManifestDecision(String ref, String runId, Instant createdAt,
    Set<KeepReason> keptBecause) {

  public ManifestDecision {
    keptBecause = KeepReason.ordered(keptBecause);
  }

  public boolean delete() {
    return keptBecause.isEmpty();
  }
}
