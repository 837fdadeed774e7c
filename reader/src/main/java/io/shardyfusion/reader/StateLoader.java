package io.shardyfusion.reader;

import io.shardyfusion.backend.ShardBackend;
import io.shardyfusion.backend.ShardBackends;
import io.shardyfusion.backend.ShardReadOptions;
import io.shardyfusion.backend.ShardReader;
import io.shardyfusion.backend.ShardReaders;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Reads {@code _CURRENT} and manifests, and turns a manifest into an opened {@link ReaderState}
 * off to the side: download, verify, open every shard, and only then hand the state over.
 */
final class StateLoader implements AutoCloseable {
  private final ManifestStore manifests;
  private final ShardCache cache;
  private final ShardReadOptions readOptions;
  // One per backend the reader has met, opened on first use: reader-wide resources such as
  // RocksDB's block cache, shared by every state.
  private final Map<String, ShardReaders> readers = new ConcurrentHashMap<>();
  private final ExecutorService downloads;
  private final ShardDownloadListener downloadListener;
  /** Shard handles open across every state this loader made (the shards.open gauge). */
  final java.util.concurrent.atomic.AtomicInteger openShards =
      new java.util.concurrent.atomic.AtomicInteger();

  StateLoader(ManifestStore manifests, ShardCache cache, ShardReadOptions readOptions,
      ExecutorService downloads, ShardDownloadListener downloadListener) {
    this.manifests = manifests;
    this.cache = cache;
    this.readOptions = readOptions;
    this.downloads = downloads;
    this.downloadListener = downloadListener;
  }

  CurrentPointer loadCurrent() {
    return manifests.loadCurrent().orElseThrow(() ->
        new StorageException("no snapshot is published: " + manifests.location()
            + " does not exist; run a writer first or fix s3Prefix (or the manifest store)",
            false));
  }

  Manifest loadManifest(String manifestRef) {
    return manifests.loadManifest(manifestRef);
  }

  /**
   * The manifest a pointer names, which must be the run the pointer says: a pointer whose
   * manifest belongs to another run (copied from another dataset, or edited by hand) is not
   * served.
   */
  Manifest loadManifest(CurrentPointer pointer) {
    Manifest m = manifests.loadManifest(pointer.manifestRef());
    if (!m.runId().equals(pointer.runId())) {
      throw new ManifestParseException("_CURRENT at " + manifests.location() + " names run "
          + pointer.runId() + " but its manifest " + pointer.manifestRef() + " is run "
          + m.runId() + ": the pointer and the manifest do not belong together (a foreign or "
          + "hand-edited pointer); republish, or roll back to a known manifest");
    }
    return m;
  }

  /**
   * Manifests published before {@code currentRef}, newest first: the fallback candidates. Never
   * newer ones: after a rollback, the newer manifests are the ones an operator backed away from.
   */
  List<String> manifestRefsBefore(String currentRef, int limit) {
    List<String> all = manifests.listManifestRefs(Integer.MAX_VALUE);
    int at = all.indexOf(currentRef);
    if (at < 0) {
      return List.of(); // history cannot say what is older than a manifest it does not list
    }
    List<String> older = all.subList(at + 1, all.size());
    return older.subList(0, Math.min(limit, older.size()));
  }

  ReaderState open(Manifest manifest, String manifestRef) {
    ShardReaders backend = readersFor(manifest, manifestRef);
    ShardRouter router = ShardRouters.create(manifest.shardingSpec(), manifest.numDbs(),
        manifest.keyEncoding());
    List<ShardCache.LocalShard> local = downloadAll(manifest);
    ShardReader[] shards = new ShardReader[manifest.numDbs()];
    try {
      for (int i = 0; i < manifest.shards().size(); i++) {
        ShardMeta s = manifest.shards().get(i);
        shards[s.dbId()] = backend.open(local.get(i).dir());
      }
    } catch (RuntimeException e) {
      closeAll(shards);
      local.forEach(l -> l.use().close());
      if (e instanceof ShardyfusionException) {
        throw e;
      }
      throw new StorageException("cannot open a shard of run " + manifest.runId() + ": " + e
          + "; the local copy under the reader's localRoot may be damaged, delete it and retry",
          true, e);
    }
    return new ReaderState(manifest, manifestRef, router, shards, local, openShards);
  }

  /** The backend the manifest names; an unknown one is the manifest's problem, not retryable. */
  private ShardReaders readersFor(Manifest manifest, String manifestRef) {
    String name = manifest.required().shardFormat();
    ShardReaders r = readers.get(name);
    if (r != null) {
      return r;
    }
    ShardBackend backend;
    try {
      backend = ShardBackends.forName(name);
    } catch (ConfigValidationException e) {
      throw new ManifestParseException("manifest " + manifestRef + " (run " + manifest.runId()
          + ") names shard backend '" + name + "': " + e.getMessage(), e);
    }
    return readers.computeIfAbsent(name, n -> backend.openReaders(readOptions));
  }

  /** Every shard's verified local copy; on failure, releases what it marked as used. */
  private List<ShardCache.LocalShard> downloadAll(Manifest manifest) {
    List<Future<ShardCache.LocalShard>> futures = new ArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean abandoned =
        new java.util.concurrent.atomic.AtomicBoolean();
    for (ShardMeta s : manifest.shards()) {
      futures.add(downloads.submit(() -> {
        if (abandoned.get()) {
          return null; // another shard failed: do not start this one
        }
        return cache.ensureLocal(s);
      }));
    }
    List<ShardCache.LocalShard> dirs = new ArrayList<>();
    long bytesDone = 0;
    try {
      for (Future<ShardCache.LocalShard> f : futures) {
        dirs.add(f.get());
        // Reported here, on the loading thread, so a listener needs no synchronization.
        bytesDone += manifest.shards().get(dirs.size() - 1).dbBytes();
        downloadListener.shardLoaded(dirs.size(), futures.size(), bytesDone);
      }
    } catch (ExecutionException e) {
      abandoned.set(true);
      releaseAll(futures);
      if (e.getCause() instanceof ShardyfusionException s) {
        throw s;
      }
      throw new StorageException("loading shards of run " + manifest.runId() + " failed: "
          + e.getCause(), true, e.getCause());
    } catch (InterruptedException e) {
      abandoned.set(true);
      releaseAll(futures);
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while loading run " + manifest.runId(), true, e);
    } catch (RuntimeException e) { // a throwing download listener
      abandoned.set(true);
      releaseAll(futures);
      throw e;
    }
    return dirs;
  }

  /**
   * Releases the use marks of the downloads that succeeded, after waiting for those still
   * running (the others skip their shard): a download abandoned while running would keep its
   * mark, and so its directory, for the life of the process. Not cancelled with an interrupt
   * either, for the same reason.
   */
  private static void releaseAll(List<Future<ShardCache.LocalShard>> futures) {
    boolean interrupted = false;
    for (Future<ShardCache.LocalShard> f : futures) {
      for (;;) {
        try {
          ShardCache.LocalShard done = f.get();
          if (done != null) {
            done.use().close();
          }
          break;
        } catch (ExecutionException failed) {
          break; // it released its own mark
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeAll(ShardReader[] shards) {
    for (ShardReader shard : shards) {
      if (shard != null) {
        shard.close();
      }
    }
  }

  /** Releases the backends' reader-wide resources; open shards keep what they use. */
  @Override
  public void close() {
    readers.values().forEach(ShardReaders::close);
    readers.clear();
  }
}
