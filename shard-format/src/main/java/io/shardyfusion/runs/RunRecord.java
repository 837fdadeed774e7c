package io.shardyfusion.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * What the object store knows about one run: {@code runs/run_id=<run>/_RUN}. A run in progress
 * holds a lease it renews; cleanup never deletes the uploads of a run whose lease is live, nor
 * the manifest named by {@code basedOn} (the one whose shard files the run may reuse).
 *
 * <pre>{@code
 * {"run_id": "20261124T193300Z-3f9a2c1b", "status": "RUNNING",
 *  "started_at": "2026-11-24T19:33:00Z", "updated_at": "2026-11-24T19:40:00Z",
 *  "lease_expires_at": "2026-11-24T20:40:00Z",
 *  "writer": {"host": "worker-7", "pid": 4242, "engine": "in-process"},
 *  "based_on": "s3://bucket/users/manifests/20261123T193300.000Z_run_id=r0/manifest",
 *  "format_version": 1}
 * }</pre>
 *
 * @param basedOn the manifest ref whose shards this run may reuse, or null
 * @param manifestStore {@code location()} of the manifest store the run publishes to, or null
 *     (unknown); cleanup through another store keeps the run's data, so one shard prefix shared
 *     by two manifest stores (a migration, a mistyped {@code --current-url}) loses nothing
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRecord(
    @JsonProperty(value = "run_id", required = true) String runId,
    @JsonProperty(value = "status", required = true) RunStatus status,
    @JsonProperty(value = "started_at", required = true) Instant startedAt,
    @JsonProperty(value = "updated_at", required = true) Instant updatedAt,
    @JsonProperty(value = "lease_expires_at", required = true) Instant leaseExpiresAt,
    @JsonProperty("writer") Writer writer,
    @JsonProperty("based_on") String basedOn,
    @JsonProperty(value = "format_version", required = true) int formatVersion,
    @JsonProperty("manifest_store") String manifestStore) {

  public static final int FORMAT_VERSION = 1;
  /**
   * How long a writer's run stays live without renewal unless configured otherwise; also how
   * long cleanup waits before it treats a run without a record as abandoned.
   */
  public static final java.time.Duration DEFAULT_LEASE = java.time.Duration.ofHours(1);

  /** Which process wrote the record; for operators looking at a stuck run. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Writer(
      @JsonProperty("host") String host,
      @JsonProperty("pid") Long pid,
      @JsonProperty("engine") String engine) {}

  /** Whether the run may still be uploading: RUNNING and its lease has not expired at {@code now}. */
  public boolean leaseLive(Instant now) {
    return status == RunStatus.RUNNING && leaseExpiresAt.isAfter(now);
  }

  /** Whether less than half of a {@code lease} remains at {@code now}, so it is time to renew. */
  public boolean renewalDue(Instant now, Duration lease) {
    return status != RunStatus.RUNNING
        || Duration.between(now, leaseExpiresAt).compareTo(lease.dividedBy(2)) < 0;
  }

  RunRecord with(RunStatus newStatus, Instant now, Instant newLeaseExpiry) {
    return new RunRecord(runId, newStatus, startedAt, now, newLeaseExpiry, writer, basedOn,
        FORMAT_VERSION, manifestStore);
  }
}
