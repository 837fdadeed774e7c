package io.shardyfusion.reader;

import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Reads {@code _CURRENT} and manifests, and turns a manifest into an opened {@link ReaderState}
 * off to the side: download, verify, open every shard, and only then hand the state over.
 */
final class StateLoader {
  static {
    RocksDB.loadLibrary();
  }

  private final ManifestStore manifests;
  private final ShardCache cache;
  private final Cache blockCache;
  private final ExecutorService downloads;
  private final ShardDownloadListener downloadListener;

  StateLoader(ManifestStore manifests, ShardCache cache, Cache blockCache,
      ExecutorService downloads) {
    this(manifests, cache, blockCache, downloads, ShardDownloadListener.NONE);
  }

  StateLoader(ManifestStore manifests, ShardCache cache, Cache blockCache,
      ExecutorService downloads, ShardDownloadListener downloadListener) {
    this.manifests = manifests;
    this.cache = cache;
    this.blockCache = blockCache;
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
    ShardRouter router = ShardRouters.create(manifest.shardingSpec(), manifest.numDbs(),
        manifest.keyEncoding());
    List<Path> dirs = downloadAll(manifest);
    BloomFilter filter = new BloomFilter(10);
    Options options = readOptions(filter);
    RocksDB[] dbs = new RocksDB[manifest.numDbs()];
    try {
      for (int i = 0; i < manifest.shards().size(); i++) {
        ShardMeta s = manifest.shards().get(i);
        dbs[s.dbId()] = RocksDB.openReadOnly(options, dirs.get(i).toString());
      }
    } catch (RocksDBException e) {
      closeAll(dbs);
      options.close();
      filter.close();
      throw new StorageException("cannot open a shard of run " + manifest.runId() + ": "
          + e.getMessage() + "; the local copy under the reader's localRoot may be damaged, "
          + "delete it and retry", true, e);
    }
    return new ReaderState(manifest, manifestRef, router, dbs, dirs, options, filter);
  }

  private List<Path> downloadAll(Manifest manifest) {
    List<Future<Path>> futures = new ArrayList<>();
    for (ShardMeta s : manifest.shards()) {
      futures.add(downloads.submit(() -> cache.ensureLocal(s)));
    }
    List<Path> dirs = new ArrayList<>();
    long bytesDone = 0;
    try {
      for (Future<Path> f : futures) {
        dirs.add(f.get());
        // Reported here, on the loading thread, so a listener needs no synchronization.
        bytesDone += manifest.shards().get(dirs.size() - 1).dbBytes();
        downloadListener.shardLoaded(dirs.size(), futures.size(), bytesDone);
      }
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      if (e.getCause() instanceof ShardyfusionException s) {
        throw s;
      }
      throw new StorageException("loading shards of run " + manifest.runId() + " failed: "
          + e.getCause(), true, e.getCause());
    } catch (InterruptedException e) {
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while loading run " + manifest.runId(), true, e);
    }
    return dirs;
  }

  /** Options for one state's databases; closed with the state (see ReaderState). */
  private Options readOptions(BloomFilter filter) {
    BlockBasedTableConfig table = new BlockBasedTableConfig().setFilterPolicy(filter);
    if (blockCache != null) {
      table.setBlockCache(blockCache);
    } else {
      table.setNoBlockCache(true);
    }
    // Keep every table open: lookups never pay for reopening a file.
    return new Options().setTableFormatConfig(table).setMaxOpenFiles(-1);
  }

  private static void closeAll(RocksDB[] dbs) {
    for (RocksDB db : dbs) {
      if (db != null) {
        db.close();
      }
    }
  }
}
