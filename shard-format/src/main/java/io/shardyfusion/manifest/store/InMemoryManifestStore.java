package io.shardyfusion.manifest.store;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.layout.SnapshotLayout;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link ManifestStore} in memory, for tests. Manifests are kept as JSON and parsed on load,
 * so it validates like the object-store one. Refs are {@code memory://manifests/<time>_run_id=
 * <run>/manifest}.
 */
public final class InMemoryManifestStore implements ManifestStore {
  public static final String BASE = "memory://";

  private final NavigableMap<String, byte[]> manifests = new TreeMap<>();
  private CurrentPointer current;

  @Override
  public String location() {
    return BASE;
  }

  @Override
  public synchronized void deleteManifests(Collection<String> refs) {
    if (current != null && refs.contains(current.manifestRef())) {
      throw new ConfigValidationException("refusing to delete manifest "
          + current.manifestRef() + ": it is the current manifest; roll back to another one "
          + "first");
    }
    for (String ref : refs) {
      manifests.remove(ref);
    }
  }

  @Override
  public synchronized PublishedRef publish(Manifest manifest, ManifestFormat format) {
    String ref = BASE + SnapshotLayout.manifestKey(manifest.required().createdAt(),
        manifest.runId());
    manifests.put(ref, format.encode(manifest));
    current = pointerTo(ref, manifest.runId(), format);
    return new PublishedRef(ref, current);
  }

  /** Stores raw bytes under {@code ref} without validating them (to test malformed data). */
  public synchronized void putRaw(String ref, byte[] json) {
    manifests.put(ref, json.clone());
  }

  @Override
  public synchronized Optional<CurrentPointer> loadCurrent() {
    return Optional.ofNullable(current);
  }

  @Override
  public synchronized Manifest loadManifest(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new ConfigValidationException("manifest ref is missing or empty");
    }
    byte[] json = manifests.get(ref);
    if (json == null) {
      throw new ObjectNotFoundException(ref);
    }
    return ManifestFormats.decode(json, ref);
  }

  @Override
  public synchronized List<ManifestEntry> listManifests(int limit) {
    if (limit < 0) {
      throw new ConfigValidationException("limit must be >= 0, got " + limit);
    }
    List<ManifestEntry> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : manifests.descendingMap().entrySet()) {
      if (out.size() >= limit) {
        break;
      }
      try {
        out.add(ManifestEntry.of(e.getKey(), loadManifest(e.getKey())));
      } catch (ManifestParseException ex) {
        SnapshotLayout.ManifestKey k =
            SnapshotLayout.parseManifestKey(e.getKey().substring(BASE.length()));
        out.add(ManifestEntry.unreadable(e.getKey(), k == null ? null : k.runId(),
            k == null ? null : k.createdAt(), ex.getMessage()));
      }
    }
    return out;
  }

  @Override
  public synchronized void setCurrent(String ref) {
    Manifest m = loadManifest(ref);
    current = pointerTo(ref, m.runId(), ManifestFormats.detect(manifests.get(ref), ref));
  }

  private static CurrentPointer pointerTo(String ref, String runId, ManifestFormat format) {
    return new CurrentPointer(ref, format.contentType(), runId, Instant.now(),
        CurrentPointer.FORMAT_VERSION);
  }
}
