package io.shardyfusion.reader;

import io.shardyfusion.errors.ReaderStateException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Serves point lookups from the snapshot {@code _CURRENT} names, for any number of threads.
 * The Java counterpart of the Python system's {@code ShardedReader}.
 *
 * <pre>{@code
 * try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
 *     .s3Prefix("s3://bucket/snapshots/users").localRoot(Path.of("/tmp/reader")).build())) {
 *   byte[] value = reader.get(42L);
 *   Map<Object, byte[]> batch = reader.multiGet(List.of(1L, 2L, 3L));
 *   reader.refresh();   // true when a newer snapshot was swapped in
 * }
 * }</pre>
 *
 * <p>Reads take no lock: each read pins the state it started on; {@link #refresh()} prepares
 * the next state completely (download, verify, open) before swapping it in, and the old
 * state's databases close when its last in-flight read returns. A refresh that fails leaves the
 * current snapshot serving and throws.
 */
public final class ShardedReader implements AutoCloseable {
  private final ObjectStore store;
  private final StateLoader loader;
  private final ShardCache cache;
  private final LRUCache blockCache;
  private final ExecutorService downloads;
  private final ExecutorService housekeeping;
  private final Object refreshLock = new Object();
  private volatile ReaderState current;
  private volatile boolean closed;

  private ShardedReader(ReaderConfig config) {
    this.store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
    RocksDB.loadLibrary();
    this.blockCache = config.blockCacheBytes() > 0 ? new LRUCache(config.blockCacheBytes())
        : null;
    this.downloads = Executors.newFixedThreadPool(config.downloadParallelism(), r -> {
      Thread t = new Thread(r, "shardyfusion-reader-download");
      t.setDaemon(true);
      return t;
    });
    this.housekeeping = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "shardyfusion-reader-housekeeping");
      t.setDaemon(true);
      return t;
    });
    this.cache = new ShardCache(config.localRoot(), store);
    this.loader = new StateLoader(store, cache, blockCache, downloads);
  }

  /**
   * Opens the snapshot currently published under {@code config.s3Prefix()}.
   *
   * @throws StorageException when no snapshot is published or the store is unreachable
   */
  public static ShardedReader open(ReaderConfig config) {
    ShardedReader reader = new ShardedReader(config);
    try {
      CurrentPointer pointer = reader.loader.loadCurrent();
      Manifest manifest = reader.loader.loadManifest(pointer.manifestRef());
      reader.current = reader.loader.open(manifest, pointer.manifestRef());
      return reader;
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /** The value of {@code key}, or null when the snapshot does not hold it. */
  public byte[] get(Object key) {
    return get(key, null);
  }

  /**
   * As {@link #get(Object)}, for multi-column CEL sharding whose routing reads other columns.
   */
  public byte[] get(Object key, Map<String, ?> routingContext) {
    ReaderState s = acquire();
    try {
      Object k = s.encoding.normalize(key);
      int dbId = routingContext == null ? s.router.route(k) : s.router.route(k, routingContext);
      RocksDB db = s.shard(dbId);
      return db == null ? null : db.get(s.encoding.encodeNormalized(k));
    } catch (RocksDBException e) {
      throw new StorageException("lookup of key " + key + " failed: " + e.getMessage(), true, e);
    } finally {
      s.release();
    }
  }

  /**
   * Values of many keys, read with one batched RocksDB call per shard. The map has an entry for
   * every distinct requested key, in request order, with null for keys not in the snapshot.
   * Map keys are the normalized keys ({@code Long} for integer encodings); for {@code raw}
   * keys, whose {@code byte[]} compare by identity, prefer {@link #multiGetList}.
   */
  public Map<Object, byte[]> multiGet(List<?> keys) {
    ReaderState s = acquire();
    try {
      Object[] normalized = new Object[keys.size()];
      byte[][] values = lookupAll(s, keys, normalized);
      Map<Object, byte[]> out = new LinkedHashMap<>();
      for (int i = 0; i < normalized.length; i++) {
        out.put(normalized[i], values[i]);
      }
      return out;
    } finally {
      s.release();
    }
  }

  /**
   * Values of many keys as a list parallel to {@code keys} (null where a key is absent), read
   * with one batched RocksDB call per shard, all from one snapshot.
   */
  public List<byte[]> multiGetList(List<?> keys) {
    ReaderState s = acquire();
    try {
      return java.util.Arrays.asList(lookupAll(s, keys, new Object[keys.size()]));
    } finally {
      s.release();
    }
  }

  private static byte[][] lookupAll(ReaderState s, List<?> keys, Object[] normalized) {
    int n = keys.size();
    Map<Integer, List<Integer>> byShard = new HashMap<>();
    for (int i = 0; i < n; i++) {
      normalized[i] = s.encoding.normalize(keys.get(i));
      byShard.computeIfAbsent(s.router.route(normalized[i]), x -> new ArrayList<>()).add(i);
    }
    byte[][] values = new byte[n][];
    try {
      for (Map.Entry<Integer, List<Integer>> e : byShard.entrySet()) {
        RocksDB db = s.shard(e.getKey());
        if (db == null) {
          continue;
        }
        List<Integer> idx = e.getValue();
        List<byte[]> encoded = new ArrayList<>(idx.size());
        for (int i : idx) {
          encoded.add(s.encoding.encodeNormalized(normalized[i]));
        }
        List<byte[]> found = db.multiGetAsList(encoded);
        for (int j = 0; j < idx.size(); j++) {
          values[idx.get(j)] = found.get(j);
        }
      }
    } catch (RocksDBException e) {
      throw new StorageException("multiGet failed: " + e.getMessage(), true, e);
    }
    return values;
  }

  /** The shard a key routes to in the current snapshot. */
  public int shardForKey(Object key) {
    ReaderState s = acquire();
    try {
      return s.router.route(s.encoding.normalize(key));
    } finally {
      s.release();
    }
  }

  public SnapshotInfo snapshotInfo() {
    ReaderState s = acquire();
    try {
      Manifest m = s.manifest;
      return new SnapshotInfo(m.runId(), s.manifestRef, m.required().createdAt(), m.numDbs(),
          m.shards().size(), m.totalRows(), m.totalBytes(), m.required().keyEncoding(),
          m.shardingSpec().toString(), s.loadedAt);
    } finally {
      s.release();
    }
  }

  /** The manifest being served. */
  public Manifest manifest() {
    ReaderState s = acquire();
    try {
      return s.manifest;
    } finally {
      s.release();
    }
  }

  /**
   * Switches to the snapshot {@code _CURRENT} names now, if it differs from the one being
   * served. Concurrent refreshes are serialized; reads go on meanwhile.
   *
   * @return true if a new snapshot was swapped in, false if already current
   * @throws io.shardyfusion.errors.ShardyfusionException if the new snapshot cannot be loaded;
   *     the current one keeps serving
   */
  public boolean refresh() {
    synchronized (refreshLock) {
      ReaderState old = acquire();
      String servedRef;
      try {
        servedRef = old.manifestRef;
      } finally {
        old.release();
      }
      CurrentPointer pointer = loader.loadCurrent();
      if (pointer.manifestRef().equals(servedRef)) {
        return false;
      }
      Manifest manifest = loader.loadManifest(pointer.manifestRef());
      ReaderState next = loader.open(manifest, pointer.manifestRef());
      current.onClosed(this::evictLocalFiles);
      // close() takes refreshLock too, so the reader cannot close between here and the swap.
      ReaderState previous = current;
      current = next;
      previous.release();
      return true;
    }
  }

  /**
   * Closes the reader. In-flight reads finish on the state they pinned; its databases close
   * when the last of them returns. Any call after this throws {@link ReaderStateException}.
   */
  @Override
  public void close() {
    synchronized (refreshLock) {
      if (closed) {
        return;
      }
      closed = true;
      ReaderState s = current;
      if (s != null) {
        s.release();
      }
    }
    downloads.shutdownNow();
    housekeeping.shutdown();
    if (blockCache != null) {
      blockCache.close();
    }
    store.close();
  }

  /**
   * Removes a replaced snapshot's local shard files that the current one does not use. Runs on
   * the housekeeping thread so that the read that released the state last does not pay for it.
   */
  private void evictLocalFiles(ReaderState closedState) {
    if (closed) {
      return; // keep the files: a restart reuses them
    }
    try {
      housekeeping.execute(() -> {
        // Under refreshLock: a refresh that is loading (and may reuse) these directories has
        // either finished, and its state is current and kept, or not started.
        synchronized (refreshLock) {
          ReaderState now = current;
          if (!closed && now != null) {
            cache.evict(closedState.localDirs, now.localDirs);
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing: the files stay for the next start
    }
  }

  /** Waits until housekeeping queued so far (local file eviction) has run. For tests. */
  void awaitHousekeeping() throws Exception {
    housekeeping.submit(() -> { }).get();
  }

  /**
   * Pins the current state for one read; the caller must {@link ReaderState#release()} it.
   * Private in spirit: package-private only so tests can hold a state the way an in-flight read
   * does. Not part of the API.
   */
  ReaderState acquire() {
    for (;;) {
      ReaderState s = current;
      if (closed || s == null) {
        throw new ReaderStateException("this ShardedReader is closed; open a new one");
      }
      if (s.retain()) {
        return s;
      }
      // s was swapped out and closed between the read and retain(): load the new one.
    }
  }
}
