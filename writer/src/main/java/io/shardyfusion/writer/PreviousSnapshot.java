package io.shardyfusion.writer;

import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.writer.WriteConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shards of the snapshot a write replaces, for reuse: a shard whose records did not change
 * keeps its files, so neither the writer uploads nor readers download it again.
 */
public final class PreviousSnapshot {
  private static final Logger LOG = LoggerFactory.getLogger(PreviousSnapshot.class);

  private PreviousSnapshot() {}

  /**
   * Shards of the current snapshot by db id; empty when there is none, it cannot be read, or
   * reuse is off. Routing need not match: a shard is reused only when its records are
   * identical (content hash and row count), and identical records make identical contents
   * whatever routed them there.
   */
  public static Map<Integer, ShardMeta> reusableShards(ManifestStore manifests,
      WriteConfig config) {
    return load(manifests, config).shards();
  }

  /**
   * The reusable shards and the manifest they come from.
   *
   * @param manifestRef the current manifest's ref, or null when nothing can be reused
   * @param shards reusable shards by db id
   */
  public record Reusable(String manifestRef, Map<Integer, ShardMeta> shards) {
    public static final Reusable NONE = new Reusable(null, Map.of());

    /**
     * These shards only if {@code protectedBase} (the run record's {@code based_on}, which
     * cleanup protects) is the manifest they came from; else none. Reusing files of a manifest
     * the record does not name would let cleanup delete them under the run.
     */
    public Reusable onlyIfBasedOn(String protectedBase) {
      return manifestRef != null && manifestRef.equals(protectedBase) ? this : NONE;
    }
  }

  /** Like {@link #reusableShards}, also naming the manifest (a run record's based_on). */
  public static Reusable load(ManifestStore manifests, WriteConfig config) {
    if (!config.reuseUnchangedShards()) {
      return Reusable.NONE;
    }
    try {
      Optional<CurrentPointer> current = manifests.loadCurrent();
      if (current.isEmpty()) {
        return Reusable.NONE;
      }
      Manifest m = manifests.loadManifest(current.get().manifestRef());
      Map<Integer, ShardMeta> out = new HashMap<>();
      for (ShardMeta s : m.shards()) {
        if (s.contentHash() != null) {
          out.put(s.dbId(), s);
        }
      }
      return new Reusable(current.get().manifestRef(), out);
    } catch (ShardyfusionException | IllegalArgumentException e) {
      LOG.warn("not reusing shards of the current snapshot in {}: {}", manifests.location(),
          e.getMessage());
      return Reusable.NONE;
    }
  }
}
