package io.shardyfusion.runs;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.runs.HostName;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes run records ({@code runs/run_id=<run>/_RUN}) in the object store that holds
 * the run's shards. One PUT per state change; the store's atomic single-object writes mean a
 * reader sees the old record or the new one.
 *
 * <pre>{@code
 * RunRecords runs = new RunRecords(store, Clock.systemUTC());
 * RunRecord r = runs.start("r1", Duration.ofHours(1), "in-process", basedOnRef);
 * r = runs.renewIfDue(r, Duration.ofHours(1));   // as shards complete
 * runs.finish("r1", RunStatus.PUBLISHED);         // after _CURRENT is written
 * }</pre>
 */
public final class RunRecords {
  private final ObjectStore store;
  private final Clock clock;
  private final String manifestStore;

  /** Does not own (or close) {@code store}. Records it creates name no manifest store. */
  public RunRecords(ObjectStore store, Clock clock) {
    this(store, clock, null);
  }

  /**
   * @param manifestStore {@code location()} of the manifest store the runs publish to, written
   *     into the records this creates (cleanup through another store then keeps their data)
   */
  public RunRecords(ObjectStore store, Clock clock, String manifestStore) {
    this.store = java.util.Objects.requireNonNull(store, "store");
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
    this.manifestStore = manifestStore;
  }

  /** Writes a RUNNING record with a fresh lease, replacing any earlier record of the run. */
  public RunRecord start(String runId, Duration lease, String engine, String basedOn) {
    Instant now = clock.instant();
    RunRecord r = new RunRecord(SnapshotLayout.validateRunId(runId), RunStatus.RUNNING, now, now,
        now.plus(checkLease(lease)), thisWriter(engine), basedOn, RunRecord.FORMAT_VERSION,
        manifestStore);
    write(r);
    return r;
  }

  /**
   * Makes sure the run has a RUNNING record with at least half a lease left; idempotent, so
   * every worker of a distributed run may call it before uploading. Costs one GET, and a PUT
   * only when the record is missing, not RUNNING, or due for renewal.
   */
  public RunRecord ensureRunning(String runId, Duration lease, String engine, String basedOn) {
    checkLease(lease);
    Optional<RunRecord> existing = load(runId);
    Instant now = clock.instant();
    if (existing.isEmpty()) {
      return start(runId, lease, engine, basedOn);
    }
    RunRecord r = existing.get();
    if (!r.renewalDue(now, lease)) {
      return r;
    }
    // A re-run under a fixed run id revives a FAILED or PUBLISHED record: it uploads again.
    RunRecord renewed = new RunRecord(runId, RunStatus.RUNNING, r.startedAt(), now,
        now.plus(lease), thisWriter(engine), r.basedOn() != null ? r.basedOn() : basedOn,
        RunRecord.FORMAT_VERSION, manifestStore != null ? manifestStore : r.manifestStore());
    write(renewed);
    return renewed;
  }

  /** Extends the lease of {@code current} when less than half of it remains; else no I/O. */
  public RunRecord renewIfDue(RunRecord current, Duration lease) {
    Instant now = clock.instant();
    if (!current.renewalDue(now, checkLease(lease))) {
      return current;
    }
    RunRecord renewed = current.with(RunStatus.RUNNING, now, now.plus(lease));
    write(renewed);
    return renewed;
  }

  /**
   * Records the end of a run (PUBLISHED or FAILED); the lease ends now. Creates the record when
   * it is missing, e.g. for a run started by a writer that predates run records.
   */
  public RunRecord finish(String runId, RunStatus status) {
    if (status == RunStatus.RUNNING) {
      throw new ConfigValidationException("finish needs PUBLISHED or FAILED; use start or "
          + "renewIfDue for a running run");
    }
    Instant now = clock.instant();
    RunRecord r = load(runId)
        .map(old -> old.with(status, now, now))
        .orElseGet(() -> new RunRecord(runId, status, now, now, now, thisWriter(null), null,
            RunRecord.FORMAT_VERSION, manifestStore));
    write(r);
    return r;
  }

  /** The record of {@code runId}, or empty when it has none. */
  public Optional<RunRecord> load(String runId) {
    String key = SnapshotLayout.runRecordKey(runId);
    return store.getIfExists(key).map(json -> RunRecordCodec.parse(json, store.url(key)));
  }

  /**
   * Every run record by run id, in key order (one listing plus one GET per run).
   *
   * @throws io.shardyfusion.errors.ManifestParseException if a record is malformed
   */
  public Map<String, RunRecord> list() {
    Map<String, RunRecord> out = new LinkedHashMap<>();
    for (ObjectInfo o : store.list(SnapshotLayout.RUNS + "/")) {
      String runId = SnapshotLayout.parseRunRecordKey(o.key());
      if (runId != null) {
        // Deleted between the listing and the read: no record is what the store now says.
        store.getIfExists(o.key())
            .ifPresent(json -> out.put(runId, RunRecordCodec.parse(json, store.url(o.key()))));
      }
    }
    return out;
  }

  /** Deletes the record of {@code runId}; a missing record is not an error. */
  public void delete(String runId) {
    store.delete(SnapshotLayout.runRecordKey(runId));
  }

  private void write(RunRecord r) {
    store.put(SnapshotLayout.runRecordKey(r.runId()), RunRecordCodec.toJson(r),
        ManifestCodec.JSON_CONTENT_TYPE);
  }

  private static Duration checkLease(Duration lease) {
    if (lease == null || lease.isZero() || lease.isNegative()) {
      throw new ConfigValidationException("runLease must be > 0, got " + lease
          + "; use a duration longer than the slowest shard build, e.g. PT1H");
    }
    return lease;
  }

  private static RunRecord.Writer thisWriter(String engine) {
    return new RunRecord.Writer(HostName.get(), ProcessHandle.current().pid(), engine);
  }
}
