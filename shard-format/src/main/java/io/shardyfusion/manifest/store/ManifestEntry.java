package io.shardyfusion.manifest.store;

import io.shardyfusion.manifest.Manifest;
import java.time.Instant;

/**
 * One manifest in a store's history.
 *
 * <p>A manifest that cannot be read still appears, with {@code problem} saying why and the
 * figures it could not supply set to -1, so that one bad document does not hide the rest of
 * history from an operator who is about to roll back past it.
 *
 * @param createdAt when the run published it (for an unreadable manifest, the time its ref
 *     encodes, or null when that is unknown too)
 * @param shardCount shards with rows (the manifest's entries); {@code numDbs} counts empty ones too
 * @param problem null for a valid manifest, else why it cannot be loaded
 */
public record ManifestEntry(String ref, String runId, Instant createdAt, int numDbs,
    int shardCount, long totalRows, String problem) {

  public ManifestEntry(String ref, String runId, Instant createdAt, int numDbs, int shardCount,
      long totalRows) {
    this(ref, runId, createdAt, numDbs, shardCount, totalRows, null);
  }

  public static ManifestEntry of(String ref, Manifest m) {
    return new ManifestEntry(ref, m.runId(), m.required().createdAt(), m.numDbs(),
        m.shards().size(), m.totalRows());
  }

  /** An entry for a manifest that exists but cannot be loaded. */
  public static ManifestEntry unreadable(String ref, String runId, Instant createdAt,
      String problem) {
    return new ManifestEntry(ref, runId, createdAt, -1, -1, -1, problem);
  }

  /** Whether the manifest loads; only valid manifests can be made current. */
  public boolean valid() {
    return problem == null;
  }
}
