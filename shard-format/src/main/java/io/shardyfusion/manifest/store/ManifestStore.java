package io.shardyfusion.manifest.store;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestFormats;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where manifests and the current pointer live: the history of published snapshots and which one
 * readers load. Implementations are thread-safe. Shard data always lives in an object store;
 * only manifests and the pointer live here.
 */
public interface ManifestStore extends AutoCloseable {

  /** Where this store is, for messages and {@code shardy info} (never includes secrets). */
  String location();

  /**
   * Stores {@code manifest} encoded in {@code format}, then points the current pointer at it. A
   * failure while writing the manifest leaves the pointer untouched.
   */
  PublishedRef publish(Manifest manifest, ManifestFormat format);

  /**
   * {@link #publish(Manifest, ManifestFormat)} in the format the manifest's
   * {@code format_version} names ({@link ManifestFormats#forManifest}).
   */
  default PublishedRef publish(Manifest manifest) {
    return publish(manifest, ManifestFormats.forManifest(manifest));
  }

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
   * Up to {@code limit} manifests, newest first. A manifest that exists but cannot be loaded
   * is listed too, with {@link ManifestEntry#problem()} saying why.
   */
  List<ManifestEntry> listManifests(int limit);

  /**
   * Refs of up to {@code limit} manifests, newest first, without loading them (a reader falling
   * back to an earlier snapshot needs only a few, but must not fetch the whole history).
   */
  default List<String> listManifestRefs(int limit) {
    return listManifests(limit).stream().map(ManifestEntry::ref).toList();
  }

  /**
   * Points the current pointer at {@code ref} after checking that the manifest loads; on any
   * failure the pointer is unchanged.
   */
  void setCurrent(String ref);

  /**
   * Deletes these manifests from history (retention cleanup). Checks every ref first and refuses,
   * deleting nothing, if one of them is the current manifest. Refs that do not exist are ignored,
   * so a cleanup that was interrupted can run again.
   *
   * @throws io.shardyfusion.errors.ConfigValidationException if a ref is the current manifest or
   *     does not belong to this store
   */
  void deleteManifests(Collection<String> refs);

  /** Releases connections; the default has none. */
  @Override
  default void close() {}
}
