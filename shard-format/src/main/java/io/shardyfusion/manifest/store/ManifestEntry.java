package io.shardyfusion.manifest.store;

import io.shardyfusion.manifest.Manifest;
import java.time.Instant;

/**
 * One manifest in a store's history.
 *
 * @param shardCount shards with rows (the manifest's entries); {@code numDbs} counts empty ones too
 */
public record ManifestEntry(String ref, String runId, Instant createdAt, int numDbs,
    int shardCount, long totalRows) {

  static ManifestEntry of(String ref, Manifest m) {
    return new ManifestEntry(ref, m.runId(), m.required().createdAt(), m.numDbs(),
        m.shards().size(), m.totalRows());
  }
}
