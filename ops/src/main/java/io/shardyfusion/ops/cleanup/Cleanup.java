package io.shardyfusion.ops.cleanup;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention cleanup of one snapshot prefix: plan, then execute the plan. Does not own (or
 * close) the stores.
 *
 * <pre>{@code
 * Cleanup cleanup = new Cleanup(manifestStore, objectStore, Clock.systemUTC());
 * CleanupPlan plan = cleanup.plan(RetentionPolicy.builder().keepLast(3)
 *     .olderThan(Duration.ofDays(7)).build());
 * if (!dryRun) {
 *   CleanupReport report = cleanup.execute(plan, CleanupListener.NONE);
 * }
 * }</pre>
 *
 * <p>Execution deletes manifests first, then shard objects, then run records, so history never
 * lists a manifest whose shards are gone. Every step is idempotent: an interrupted cleanup
 * converges when planned and executed again.
 */
public final class Cleanup {
  private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);
  /** Keys per deleteAll call: one S3 DeleteObjects request, one progress callback. */
  static final int BATCH = 1000;

  private final ManifestStore manifests;
  private final ObjectStore objects;
  private final Clock clock;

  /**
   * @param manifests where manifests and the current pointer live
   * @param objects the snapshot prefix holding shards and run records
   */
  public Cleanup(ManifestStore manifests, ObjectStore objects, Clock clock) {
    this.manifests = java.util.Objects.requireNonNull(manifests, "manifests");
    this.objects = java.util.Objects.requireNonNull(objects, "objects");
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
  }

  /** What {@link #execute} would delete; reads only (a dry run). */
  public CleanupPlan plan(RetentionPolicy policy) {
    return CleanupPlanner.plan(manifests, objects, policy, clock);
  }

  /**
   * Deletes what {@code plan} says.
   *
   * @throws StorageException (retryable, nothing deleted) if {@code _CURRENT} moved since
   *     planning to a manifest the plan does not keep, or a run that started since planning
   *     reuses shards of a manifest the plan deletes: plan again
   */
  public CleanupReport execute(CleanupPlan plan, CleanupListener listener) {
    checkCurrentUnchanged(plan);
    checkNoLiveRunBuildsOnDoomedManifests(plan);

    List<String> doomedManifests = plan.manifestsToDelete();
    if (!doomedManifests.isEmpty()) {
      manifests.deleteManifests(doomedManifests);
    }
    listener.manifestsDeleted(doomedManifests.size());

    long total = plan.objectsToDelete();
    long totalBytes = plan.bytesToDelete();
    long done = 0;
    long bytes = 0;
    RunRecords records = new RunRecords(objects, clock);
    for (RunDecision run : plan.runs()) {
      List<ObjectInfo> doomed = run.deleteObjects();
      if (!doomed.isEmpty() && startedAgain(records, run.runId(), plan)) {
        LOG.info("keeping the objects of run {}: its record changed since planning", run.runId());
        continue;
      }
      for (int from = 0; from < doomed.size(); from += BATCH) {
        List<ObjectInfo> batch = doomed.subList(from, Math.min(doomed.size(), from + BATCH));
        objects.deleteAll(batch.stream().map(ObjectInfo::key).toList());
        done += batch.size();
        bytes += batch.stream().mapToLong(ObjectInfo::size).sum();
        listener.objectsDeleted(done, total, bytes, totalBytes);
      }
    }

    int recordsDeleted = 0;
    for (String runId : plan.runRecordsToDelete()) {
      // A re-run under the same fixed run id may have started since planning.
      if (records.load(runId).map(r -> r.leaseLive(clock.instant())).orElse(false)) {
        LOG.info("keeping the run record of {}: the run started again since planning", runId);
        continue;
      }
      records.delete(runId);
      recordsDeleted++;
    }

    List<String> runsDeleted = new ArrayList<>();
    Map<String, Set<KeepReason>> runsKept = new LinkedHashMap<>();
    for (RunDecision run : plan.runs()) {
      if (run.deletesEverything()) {
        runsDeleted.add(run.runId());
      } else {
        runsKept.put(run.runId(), run.keptBecause());
      }
    }
    CleanupReport report = new CleanupReport(doomedManifests.size(), runsDeleted, done, bytes,
        recordsDeleted, runsKept);
    LOG.info("cleanup of {}: {}", plan.location(), report);
    return report;
  }

  /** A re-run under the same run id (or a revived Beam run) since planning: hands off. */
  private boolean startedAgain(RunRecords records, String runId, CleanupPlan plan) {
    return records.load(runId)
        .map(r -> r.leaseLive(clock.instant()) || r.updatedAt().isAfter(plan.plannedAt()))
        .orElse(false);
  }

  /**
   * A writer reads the current manifest a moment before its run record names it as its base;
   * a plan made in that moment may doom the base. Runs are live by now, so look again.
   */
  private void checkNoLiveRunBuildsOnDoomedManifests(CleanupPlan plan) {
    java.util.Set<String> doomed = new java.util.HashSet<>(plan.manifestsToDelete());
    if (doomed.isEmpty()) {
      return;
    }
    // Every record, not one per run: two records of one run may name different bases.
    for (io.shardyfusion.runs.RunRecord r : new RunRecords(objects, clock).listAll()) {
      if (r.leaseLive(clock.instant()) && r.basedOn() != null && doomed.contains(r.basedOn())) {
        throw new StorageException("run " + r.runId() + " started since the cleanup was "
            + "planned and reuses shards of " + r.basedOn() + ", which the plan deletes; "
            + "nothing was deleted, plan the cleanup again", true);
      }
    }
  }

  private void checkCurrentUnchanged(CleanupPlan plan) {
    Optional<String> now = manifests.loadCurrent().map(CurrentPointer::manifestRef);
    String planned = plan.currentRef();
    if (now.map(r -> r.equals(planned)).orElse(planned == null)) {
      return;
    }
    if (now.isPresent() && plan.keptManifestRefs().contains(now.get())) {
      return; // moved to a manifest the plan keeps anyway, with all its shards
    }
    throw new StorageException("the current manifest changed since the cleanup was planned "
        + "(from " + (planned == null ? "<none>" : planned) + " to " + now.orElse("<none>")
        + "), to one the plan does not keep; nothing was deleted, plan the cleanup again",
        true);
  }
}
