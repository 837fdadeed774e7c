package io.shardyfusion.manifest.store;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestLimits;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Manifests and {@code _CURRENT} in an {@link ObjectStore}, in the layout of
 * {@link SnapshotLayout}: {@code manifests/<sortable UTC time>_run_id=<run>/manifest} and
 * {@code _CURRENT}. Refs are the manifests' full URLs. Does not own (or close) the store.
 */
public final class ObjectStoreManifestStore implements ManifestStore {
  private static final String MANIFEST_SUFFIX = "/manifest";

  private final ObjectStore store;

  public ObjectStoreManifestStore(ObjectStore store) {
    this.store = java.util.Objects.requireNonNull(store, "store");
  }

  public ObjectStore objectStore() {
    return store;
  }

  @Override
  public String location() {
    return store.url(SnapshotLayout.CURRENT);
  }

  @Override
  public void deleteManifests(Collection<String> refs) {
    List<String> keys = new ArrayList<>();
    for (String ref : refs) {
      keys.add(keyOf(ref));
    }
    Optional<CurrentPointer> current = loadCurrent();
    if (current.isPresent()) {
      String currentKey = keyOf(current.get().manifestRef());
      if (keys.contains(currentKey)) {
        throw new ConfigValidationException("refusing to delete manifest "
            + current.get().manifestRef() + ": it is the current manifest; roll back to "
            + "another one first");
      }
    }
    if (!keys.isEmpty()) {
      store.deleteAll(keys);
    }
  }

  @Override
  public PublishedRef publish(Manifest manifest, ManifestFormat format) {
    String key = SnapshotLayout.manifestKey(manifest.required().createdAt(), manifest.runId());
    store.put(key, format.encode(manifest), format.contentType());
    CurrentPointer pointer = writePointer(store.url(key), manifest.runId(), format);
    return new PublishedRef(pointer.manifestRef(), pointer);
  }

  @Override
  public Optional<CurrentPointer> loadCurrent() {
    return bounded(SnapshotLayout.CURRENT, ManifestLimits.MAX_POINTER_BYTES, "_CURRENT pointer")
        .map(json -> ManifestCodec.parseCurrent(json, store.url(SnapshotLayout.CURRENT)));
  }

  @Override
  public Manifest loadManifest(String ref) {
    String key = keyOf(ref);
    return ManifestFormats.decode(manifestBytes(key), store.url(key));
  }

  @Override
  public List<String> listManifestRefs(int limit) {
    List<String> keys = manifestKeysOldestFirst(limit);
    List<String> out = new ArrayList<>();
    for (int i = keys.size() - 1; i >= 0 && out.size() < limit; i--) {
      out.add(store.url(keys.get(i)));
    }
    return out;
  }

  /** Keys sort by publish time, so one LIST gives history in order. */
  private List<String> manifestKeysOldestFirst(int limit) {
    if (limit < 0) {
      throw new ConfigValidationException("limit must be >= 0, got " + limit);
    }
    List<String> keys = new ArrayList<>();
    for (ObjectInfo o : store.list(SnapshotLayout.MANIFESTS + "/")) {
      if (o.key().endsWith(MANIFEST_SUFFIX)) {
        keys.add(o.key());
      }
    }
    // By the time in the name, not by the key's text: this project's names and the Python
    // system's sort differently, and one prefix may hold both. Unparseable names go first
    // (oldest), in key order.
    keys.sort(java.util.Comparator.comparing((String k) -> {
      SnapshotLayout.ManifestKey mk = SnapshotLayout.parseManifestKey(k);
      return mk == null || mk.createdAt() == null ? Instant.MIN : mk.createdAt();
    }).thenComparing(k -> k));
    return keys;
  }

  @Override
  public List<ManifestEntry> listManifests(int limit) {
    List<String> keys = manifestKeysOldestFirst(limit);
    List<ManifestEntry> out = new ArrayList<>();
    for (int i = keys.size() - 1; i >= 0 && out.size() < limit; i--) {
      String ref = store.url(keys.get(i));
      try {
        out.add(ManifestEntry.of(ref, loadManifest(ref)));
      } catch (ManifestParseException | ObjectNotFoundException e) {
        // Deleted since the listing, or malformed: still history, so show it and say why.
        SnapshotLayout.ManifestKey k = SnapshotLayout.parseManifestKey(keys.get(i));
        out.add(ManifestEntry.unreadable(ref, k == null ? null : k.runId(),
            k == null ? null : k.createdAt(), e.getMessage()));
      }
    }
    return out;
  }

  @Override
  public void setCurrent(String ref) {
    String key = keyOf(ref);
    byte[] bytes = manifestBytes(key);
    ManifestFormat format = ManifestFormats.detect(bytes, store.url(key));
    Manifest m = format.decode(bytes, store.url(key));
    writePointer(store.url(key), m.runId(), format);
  }

  private byte[] manifestBytes(String key) {
    return bounded(key, ManifestLimits.maxManifestBytes(), "manifest")
        .orElseThrow(() -> new ObjectNotFoundException(store.url(key)));
  }

  /** An object no larger than {@code max}; a larger one is the document's fault, not I/O's. */
  private Optional<byte[]> bounded(String key, long max, String what) {
    try {
      return store.getIfExists(key, max);
    } catch (io.shardyfusion.errors.ObjectTooLargeException e) {
      ManifestLimits.checkSize(e.size(), max, what, store.url(key));
      throw e; // unreachable: checkSize threw
    }
  }

  private CurrentPointer writePointer(String manifestRef, String runId, ManifestFormat format) {
    CurrentPointer pointer = new CurrentPointer(manifestRef, format.contentType(), runId,
        Instant.now().truncatedTo(ChronoUnit.MICROS), CurrentPointer.FORMAT_VERSION);
    store.put(SnapshotLayout.CURRENT, ManifestCodec.toJson(pointer), ManifestCodec.JSON_CONTENT_TYPE);
    return pointer;
  }

  /** A full URL under this store, or a key relative to it ({@code manifests/.../manifest}). */
  private String keyOf(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new ConfigValidationException("manifest ref is missing or empty");
    }
    String key;
    if (ref.contains("://")) {
      try {
        key = store.keyOf(ref);
      } catch (StorageException e) {
        throw new StorageException("manifest " + ref + " is not under this store's prefix "
            + store.baseUrl(), false);
      }
    } else {
      key = ref;
    }
    if (!key.startsWith(SnapshotLayout.MANIFESTS + "/") || !key.endsWith(MANIFEST_SUFFIX)) {
      throw new ConfigValidationException("'" + ref + "' is not a manifest ref: expected "
          + store.url(SnapshotLayout.MANIFESTS + "/<time>_run_id=<run>/manifest"));
    }
    return key;
  }
}
