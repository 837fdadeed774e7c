package io.shardyfusion.manifest.store;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import java.util.List;
import java.util.Optional;

/**
 * Where manifests and the current pointer live: the history of published snapshots and which one
 * readers load. Implementations are thread-safe.
 */
public interface ManifestStore {

  /**
   * Stores {@code manifest}, then points the current pointer at it. A failure while writing the
   * manifest leaves the pointer untouched.
   */
  PublishedRef publish(Manifest manifest);

  /** The current pointer, or empty when nothing has been published yet. */
  Optional<CurrentPointer> loadCurrent();

  /**
   * Loads and validates one manifest.
   *
   * @throws io.shardyfusion.errors.ObjectNotFoundException if no manifest has this ref
   * @throws io.shardyfusion.errors.ManifestParseException if the manifest is malformed
   * @throws io.shardyfusion.errors.StorageException if the ref does not belong to this store
   */
  Manifest loadManifest(String ref);

  /**
   * Up to {@code limit} manifests, newest first.
   *
   * @throws io.shardyfusion.errors.ManifestParseException if a listed manifest is malformed
   */
  List<ManifestEntry> listManifests(int limit);

  /**
   * Points the current pointer at {@code ref} after checking that the manifest loads; on any
   * failure the pointer is unchanged.
   */
  void setCurrent(String ref);
}
