package io.shardyfusion.ops.rollback;

import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ManifestStore;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ReaderStateException;
import io.shardyfusion.manifest.CurrentPointer;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points the current pointer back (or forward) at a manifest already in a store's history.
 * Nothing is copied or deleted; readers that refresh follow the pointer. Invalid selectors throw
 * before anything is written.
 */
public final class Rollback {
  private static final Logger LOG = LoggerFactory.getLogger(Rollback.class);

  private Rollback() {}

  /** Which manifest to make current. */
  public sealed interface Selector {
    /** Exactly this manifest. */
    static Selector ref(String manifestRef) {
      return new ByRef(manifestRef);
    }

    /** The newest manifest of this run. */
    static Selector runId(String runId) {
      return new ByRunId(runId);
    }

    /**
     * A position in history relative to the current manifest: 0 = the current one, 1 = the one
     * published before it, and so on.
     */
    static Selector offset(int offset) {
      return new ByOffset(offset);
    }
  }

  public record ByRef(String manifestRef) implements Selector {
    public ByRef {
      if (manifestRef == null || manifestRef.isBlank()) {
        throw new ConfigValidationException("manifest ref is missing or empty");
      }
    }
  }

  public record ByRunId(String runId) implements Selector {
    public ByRunId {
      if (runId == null || runId.isBlank()) {
        throw new ConfigValidationException("run id is missing or empty");
      }
    }
  }

  public record ByOffset(int offset) implements Selector {
    public ByOffset {
      if (offset < 0) {
        throw new ConfigValidationException("offset must be >= 0 (0 = current, 1 = the one "
            + "before), got " + offset);
      }
    }
  }

  /**
   * Makes the selected manifest current.
   *
   * @return the new current pointer
   * @throws ConfigValidationException for an unknown run id or an offset beyond history
   * @throws io.shardyfusion.errors.ObjectNotFoundException for an unknown manifest ref
   * @throws io.shardyfusion.errors.ManifestParseException if the selected manifest is malformed
   */
  public static CurrentPointer rollbackTo(ManifestStore store, Selector selector) {
    String ref = resolve(store, selector);
    Optional<CurrentPointer> before = store.loadCurrent();
    store.setCurrent(ref);
    CurrentPointer after = store.loadCurrent().orElseThrow(() -> new ReaderStateException(
        "the current pointer is missing right after setting it to " + ref));
    LOG.info("rolled current from {} to {} (run {})",
        before.map(CurrentPointer::manifestRef).orElse("<none>"), after.manifestRef(),
        after.runId());
    return after;
  }

  /** The ref {@code selector} names in {@code store}, without changing anything. */
  public static String resolve(ManifestStore store, Selector selector) {
    if (selector instanceof ByRef r) {
      store.loadManifest(r.manifestRef());
      return r.manifestRef();
    }
    List<ManifestEntry> history = store.listManifests(Integer.MAX_VALUE);
    if (selector instanceof ByRunId r) {
      for (ManifestEntry e : history) {
        if (e.runId().equals(r.runId())) {
          return e.ref();
        }
      }
      throw new ConfigValidationException("no manifest of run id '" + r.runId() + "' in history "
          + "(" + history.size() + " manifests; runs newest first: "
          + history.stream().limit(20).map(ManifestEntry::runId).toList()
          + (history.size() > 20 ? " ..." : "") + ")");
    }
    ByOffset o = (ByOffset) selector;
    if (history.isEmpty()) {
      throw new ConfigValidationException("offset " + o.offset() + " is beyond history: no "
          + "manifests exist in this store");
    }
    Optional<CurrentPointer> current = store.loadCurrent();
    int base = 0;
    if (current.isPresent()) {
      base = -1;
      for (int i = 0; i < history.size(); i++) {
        if (history.get(i).ref().equals(current.get().manifestRef())) {
          base = i;
          break;
        }
      }
      if (base < 0) {
        throw new ConfigValidationException("the current manifest "
            + current.get().manifestRef() + " is not in this store's history, so offset "
            + o.offset() + " has nothing to count from; select by ref or run id instead");
      }
    }
    int target = base + o.offset();
    if (target >= history.size()) {
      int max = history.size() - 1 - base;
      throw new ConfigValidationException("offset " + o.offset() + " is beyond history: "
          + history.size() + " manifests exist and the current one is #" + base
          + " (newest = #0), so the largest valid offset is " + Math.max(max, 0));
    }
    return history.get(target).ref();
  }
}
