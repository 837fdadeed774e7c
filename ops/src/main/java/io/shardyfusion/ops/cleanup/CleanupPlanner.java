package io.shardyfusion.ops.cleanup;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides what retention cleanup deletes; reads only, never writes. Manifests come from any
 * {@link ManifestStore} (object store, PostgreSQL, ...); shards and run records from the
 * {@link ObjectStore} under the snapshot prefix.
 *
 * <pre>{@code
 * CleanupPlan plan = CleanupPlanner.plan(manifestStore, objectStore,
 *     RetentionPolicy.builder().keepLast(3).build(), Clock.systemUTC());
 * }</pre>
 *
 * <p>Shard data: an attempt directory stays iff a kept manifest references it (by
 * {@code db_url}, which may point into an earlier run that produced an unchanged shard), its
 * run's lease is live, or its run has no record and uploaded within the grace period.
 * Everything else under {@code shards/} goes. A run record goes once its run has nothing left.
 */
public final class CleanupPlanner {
  private CleanupPlanner() {}

  /**
   * @throws ManifestParseException if a manifest in history (or a run record) is malformed:
   *     nobody can tell which shard files it references, so nothing is planned
   * @throws ConfigValidationException if a protected ref is not in history
   */
  public static CleanupPlan plan(ManifestStore manifests, ObjectStore objects,
      RetentionPolicy policy, Clock clock) {
    Instant now = clock.instant();
    // Order matters against concurrent writers. Run records first: a run that publishes after
    // this read was RUNNING with a live lease here, and one that published before it has its
    // manifest in the history read next. A run that starts later writes its record before
    // uploading, so its objects (listed last) are young and without a record: grace keeps them.
    // A run may have several records (run.yaml objects of either system, a legacy _RUN); it is
    // judged by the merged, most protective one, and the base of every live record is kept.
    List<RunRecord> allRecords = new RunRecords(objects, clock).listAll();
    Map<String, RunRecord> records = RunRecords.mergeByRun(allRecords);
    String currentRef = manifests.loadCurrent().map(CurrentPointer::manifestRef).orElse(null);
    List<ManifestEntry> history = history(manifests);

    Set<String> liveBases = new HashSet<>();
    for (RunRecord r : allRecords) {
      if (r.leaseLive(now) && r.basedOn() != null) {
        liveBases.add(r.basedOn());
      }
    }
    checkProtectedRefsExist(policy, history);

    List<ManifestDecision> decisions = new ArrayList<>();
    for (int i = 0; i < history.size(); i++) {
      ManifestEntry e = history.get(i);
      decisions.add(new ManifestDecision(e.ref(), e.runId(), e.createdAt(),
          keepReasons(e, i, currentRef, liveBases, policy, now)));
    }

    Set<String> referencedDirs = new HashSet<>();
    Set<String> runsWithKeptManifest = new HashSet<>();
    for (ManifestDecision d : decisions) {
      if (!d.delete()) {
        Manifest m = load(manifests, d.ref());
        runsWithKeptManifest.add(m.runId());
        for (ShardMeta s : m.shards()) {
          referencedDirs.add(dirKey(objects, d.ref(), s));
        }
      }
    }

    Map<String, List<ObjectInfo>> byRun = new TreeMap<>();
    for (ObjectInfo o : objects.list(SnapshotLayout.SHARDS + "/")) {
      String runId = SnapshotLayout.runIdOfShardKey(o.key());
      if (runId != null) { // anything else under shards/ was not written by shardyfusion
        byRun.computeIfAbsent(runId, k -> new ArrayList<>()).add(o);
      }
    }
    Set<String> runIds = new java.util.TreeSet<>(byRun.keySet());
    runIds.addAll(records.keySet());

    List<RunDecision> runs = new ArrayList<>();
    for (String runId : runIds) {
      runs.add(decideRun(runId, byRun.getOrDefault(runId, List.of()), records.get(runId),
          referencedDirs, runsWithKeptManifest.contains(runId), policy, now,
          manifests.location()));
    }
    String location = manifests.location().equals(objects.url(SnapshotLayout.CURRENT))
        ? objects.baseUrl() : manifests.location() + " + " + objects.baseUrl();
    return new CleanupPlan(now, policy.toString(), location, currentRef, decisions, runs);
  }

  /**
   * Every manifest of history, newest first. Stores list an unreadable manifest with a problem
   * instead of failing; cleanup must fail instead, unless it was merely deleted meanwhile.
   */
  private static List<ManifestEntry> history(ManifestStore manifests) {
    List<ManifestEntry> out = new ArrayList<>();
    for (ManifestEntry e : manifests.listManifests(Integer.MAX_VALUE)) {
      if (e.valid()) {
        out.add(e);
        continue;
      }
      try {
        out.add(ManifestEntry.of(e.ref(), manifests.loadManifest(e.ref())));
      } catch (ObjectNotFoundException gone) {
        // Deleted since the listing (e.g. by another cleanup): nothing left to decide.
      } catch (ManifestParseException bad) {
        throw malformed(manifests, bad);
      }
    }
    return out;
  }

  private static Manifest load(ManifestStore manifests, String ref) {
    try {
      return manifests.loadManifest(ref);
    } catch (ManifestParseException e) {
      throw malformed(manifests, e);
    }
  }

  private static ManifestParseException malformed(ManifestStore manifests,
      ManifestParseException e) {
    return new ManifestParseException("cannot plan a cleanup of " + manifests.location()
        + ": " + e.getMessage() + ". Cleanup cannot tell which shard files a malformed manifest "
        + "references, so it deletes nothing; repair or delete that manifest and run it again",
        e);
  }

  private static void checkProtectedRefsExist(RetentionPolicy policy,
      List<ManifestEntry> history) {
    Set<String> refs = history.stream().map(ManifestEntry::ref).collect(Collectors.toSet());
    for (String p : policy.protectRefs()) {
      if (!refs.contains(p)) {
        // A typo would silently leave the pinned manifest unprotected.
        throw new ConfigValidationException("protected ref " + p + " is not in history; "
            + "pass a manifest ref exactly as history lists it"
            + (history.isEmpty() ? "" : ", e.g. " + history.get(0).ref()));
      }
    }
  }

  private static Set<KeepReason> keepReasons(ManifestEntry e, int index, String currentRef,
      Set<String> liveBases, RetentionPolicy policy, Instant now) {
    Set<KeepReason> reasons = EnumSet.noneOf(KeepReason.class);
    if (e.ref().equals(currentRef)) {
      reasons.add(KeepReason.CURRENT);
    }
    if (policy.protectRefs().contains(e.ref())) {
      reasons.add(KeepReason.PROTECTED);
    }
    if (liveBases.contains(e.ref())) {
      reasons.add(KeepReason.BASE_OF_LIVE_RUN);
    }
    if (policy.keepLast().isPresent() && index < policy.keepLast().get()) {
      reasons.add(KeepReason.WITHIN_KEEP_LAST);
    }
    if (policy.olderThan().isPresent()
        && !e.createdAt().isBefore(now.minus(policy.olderThan().get()))) {
      reasons.add(KeepReason.YOUNGER_THAN_MAX_AGE);
    }
    return reasons;
  }

  /** The attempt directory a shard's db_url names, as a key of {@code objects}. */
  private static String dirKey(ObjectStore objects, String manifestRef, ShardMeta s) {
    String url = s.dbUrl().endsWith("/") ? s.dbUrl().substring(0, s.dbUrl().length() - 1)
        : s.dbUrl();
    try {
      return objects.keyOf(url);
    } catch (StorageException e) {
      throw new StorageException("manifest " + manifestRef + " references shard " + s.dbId()
          + " at " + s.dbUrl() + ", outside " + objects.baseUrl() + "; run cleanup against "
          + "the object store that holds the snapshot's shards", false);
    }
  }

  /** The attempt directory of a key, or the key itself when it is in none. */
  private static String attemptDirOf(String key) {
    SnapshotLayout.AttemptKey a = SnapshotLayout.parseAttemptKey(key);
    if (a == null) {
      return key;
    }
    int attempt = key.indexOf("/attempt=");
    return key.substring(0, key.indexOf('/', attempt + 1));
  }

  private static RunDecision decideRun(String runId, List<ObjectInfo> objects, RunRecord record,
      Set<String> referencedDirs, boolean hasKeptManifest, RetentionPolicy policy,
      Instant now, String manifestStore) {
    Set<KeepReason> reasons = EnumSet.noneOf(KeepReason.class);
    boolean live = record != null && record.leaseLive(now);
    if (live) {
      reasons.add(KeepReason.LIVE_LEASE);
    }
    boolean foreign = record != null && record.manifestStore() != null
        && !record.manifestStore().equals(manifestStore);
    if (foreign) {
      reasons.add(KeepReason.OTHER_MANIFEST_STORE);
    }
    if (record == null && !objects.isEmpty() && youngerThanGrace(objects, policy, now)) {
      reasons.add(KeepReason.NO_RECORD_WITHIN_GRACE);
    }
    boolean keepAll = !reasons.isEmpty();
    if (hasKeptManifest) {
      reasons.add(KeepReason.HAS_KEPT_MANIFEST);
    }
    long keptObjects = 0;
    long keptBytes = 0;
    List<ObjectInfo> delete = new ArrayList<>();
    for (ObjectInfo o : objects) {
      boolean referenced = referencedDirs.contains(attemptDirOf(o.key()));
      if (referenced) {
        reasons.add(KeepReason.REFERENCED_BY_KEPT_MANIFEST);
      }
      // Uploads that start after the records were read (a re-run under a fixed run id, a
      // Beam worker reviving a FAILED run) first make the record live again; execute re-reads
      // each record and leaves such a run alone. Object timestamps are too coarse (S3: whole
      // seconds) to tell the same thing here.
      if (keepAll || referenced) {
        keptObjects++;
        keptBytes += o.size();
      } else {
        delete.add(o);
      }
    }
    boolean deleteRecord = record != null && keptObjects == 0 && !live && !hasKeptManifest
        && !foreign;
    return new RunDecision(runId, record == null ? null : record.status(),
        record == null ? null : record.leaseExpiresAt(), reasons, keptObjects, keptBytes,
        delete, deleteRecord);
  }

  /** Unknown write times count as young: deleting a running writer's uploads is not undoable. */
  private static boolean youngerThanGrace(List<ObjectInfo> objects, RetentionPolicy policy,
      Instant now) {
    Instant cutoff = now.minus(policy.orphanGrace());
    for (ObjectInfo o : objects) {
      if (o.lastModified() == null || o.lastModified().isAfter(cutoff)) {
        return true;
      }
    }
    return false;
  }
}
