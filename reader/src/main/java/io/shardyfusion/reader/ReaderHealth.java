package io.shardyfusion.reader;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a service's health endpoint needs to know about its reader.
 *
 * @param status HEALTHY: serving a snapshot younger than the allowed staleness and the last
 *     refresh succeeded; DEGRADED: serving, but the snapshot is stale or the last refresh
 *     failed; UNHEALTHY: not serving (closed)
 * @param snapshotAge how old the served snapshot is (from its manifest's created_at)
 * @param reasons why the status is not HEALTHY, for humans
 */
public record ReaderHealth(Status status, String runId, Duration snapshotAge,
    Instant lastRefreshAttempt, String lastRefreshError, List<String> reasons) {

  public enum Status { HEALTHY, DEGRADED, UNHEALTHY }
}
