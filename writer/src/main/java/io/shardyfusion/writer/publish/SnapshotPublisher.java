package io.shardyfusion.writer.publish;

import io.shardyfusion.layout.SnapshotLayout;

import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.PublishedRef;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two-phase publish: check that every winning shard is fully in the store, write the manifest,
 * and only then replace {@code _CURRENT}. A failure at any step leaves the previous snapshot
 * current; a manifest without a pointer is harmless history.
 */
public final class SnapshotPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

  private SnapshotPublisher() {}

  /** What a publish wrote. */
  public record Published(String manifestRef, CurrentPointer pointer) {}

  /**
   * Publishes {@code manifest} to {@code manifests}; its shards must already be uploaded under
   * {@code store}.
   *
   * @throws ShardyfusionException if a listed shard file is missing or has the wrong size, or
   *     a write fails; {@code _CURRENT} is then untouched
   */
  public static Published publish(ObjectStore store, ManifestStore manifests,
      Manifest manifest, ManifestFormat format) {
    verifyShardsUploaded(store, manifest);
    PublishedRef ref = manifests.publish(manifest, format);
    CurrentPointer pointer = ref.pointer();
    LOG.atInfo().addKeyValue("run_id", manifest.runId())
        .addKeyValue("manifest_ref", pointer.manifestRef())
        .log("published run {} ({} shards, {} rows) as {}", manifest.runId(),
            manifest.shards().size(), manifest.totalRows(), pointer.manifestRef());
    return new Published(pointer.manifestRef(), pointer);
  }

  /**
   * One listing per run whose files the manifest names (its own run, plus earlier runs whose
   * unchanged shards it reuses) proves every winner's files are complete.
   */
  static void verifyShardsUploaded(ObjectStore store, Manifest manifest) {
    Map<String, Long> sizes = new HashMap<>();
    java.util.Set<String> runs = new java.util.TreeSet<>();
    runs.add(manifest.runId());
    for (ShardMeta s : manifest.shards()) {
      SnapshotLayout.AttemptKey a = SnapshotLayout.parseAttemptKey(store.keyOf(s.dbUrl()) + "/x");
      if (a != null) {
        runs.add(a.runId());
      }
    }
    for (String run : runs) {
      for (ObjectInfo o : store.list(SnapshotLayout.runShardsPrefix(run))) {
        sizes.put(o.key(), o.size());
      }
    }
    for (ShardMeta s : manifest.shards()) {
      String dir = store.keyOf(s.dbUrl());
      for (ShardFile f : s.files()) {
        Long size = sizes.get(dir + "/" + f.name());
        if (size == null || size != f.size()) {
          throw new StorageException("refusing to publish run " + manifest.runId() + ": shard "
              + s.dbId() + " file " + store.url(dir + "/" + f.name())
              + (size == null ? " is missing" : " has " + size + " bytes, expected " + f.size())
              + "; the upload did not complete, re-run the write", true);
        }
      }
    }
  }

  /**
   * Deletes every attempt directory of {@code runId} that is not a winner. Best effort: a
   * failure is logged, never thrown, because the snapshot is already published.
   *
   * @return the number of objects deleted
   */
  public static int deleteLosers(ObjectStore store, String runId, List<ShardAttempt> winners) {
    try {
      Map<Integer, String> winning = new HashMap<>();
      for (ShardAttempt w : winners) {
        winning.put(w.dbId(), w.attempt());
      }
      List<String> doomed = store.list(SnapshotLayout.runShardsPrefix(runId)).stream()
          .map(ObjectInfo::key)
          .filter(k -> {
            SnapshotLayout.AttemptKey a = SnapshotLayout.parseAttemptKey(k);
            return a != null && !a.attempt().equals(winning.get(a.dbId()));
          })
          .toList();
      if (!doomed.isEmpty()) {
        store.deleteAll(doomed);
        LOG.atInfo().addKeyValue("run_id", runId)
            .log("deleted {} objects of losing attempts of run {}", doomed.size(), runId);
      }
      return doomed.size();
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("run_id", runId)
          .log("could not clean up losing attempts of run {}: {}", runId, e.toString());
      return 0;
    }
  }
}
