package io.shardyfusion.reader;

import io.shardyfusion.backend.ShardReadOptions;
import io.shardyfusion.backend.ShardReader;
import io.shardyfusion.errors.ReaderStateException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.ratelimit.TokenBucket;
import io.shardyfusion.routing.RecordRouter;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves point lookups from the snapshot {@code _CURRENT} names, for any number of threads.
 * The Java counterpart of the Python system's {@code ShardedReader}.
 *
 * <pre>{@code
 * try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
 *     .s3Prefix("s3://bucket/snapshots/users").localRoot(Path.of("/tmp/reader"))
 *     .refreshInterval(Duration.ofMinutes(1)).build())) {
 *   byte[] value = reader.get(42L);
 *   Map<Object, byte[]> batch = reader.multiGet(List.of(1L, 2L, 3L));
 *   CompletableFuture<byte[]> later = reader.getAsync(7L, requestExecutor);
 *   reader.health(Duration.ofHours(2)).status();   // HEALTHY, DEGRADED or UNHEALTHY
 * }
 * }</pre>
 *
 * <p><b>Concurrency.</b> Reads take no lock: each read pins the immutable state (manifest,
 * router, open shards) it started on with a reference count. {@link #refresh()} prepares the
 * next state completely (download, verify, open) off to the side, then swaps it in; the old
 * state's databases close when its last in-flight read returns, and its local files that the
 * new state does not use are then removed. A refresh that fails leaves the current snapshot
 * serving, throws, and tells the {@link RefreshListener}s.
 *
 * <p><b>Close.</b> {@link #close()} does not wait: reads already running finish on the state
 * they pinned (its databases close after the last of them); any call that starts after
 * {@code close()} throws {@link ReaderStateException}.
 */
public final class ShardedReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedReader.class);

  private final ReaderConfig config;
  private final ObjectStore store;
  private final ManifestStore manifests;
  private final StateLoader loader;
  private final ShardCache cache;
  private final ExecutorService downloads;
  private final ExecutorService housekeeping;
  private final ScheduledExecutorService refresher;
  private final TokenBucket readLimit;
  private final ReaderMetrics metrics;
  private final List<RefreshListener> listeners = new CopyOnWriteArrayList<>();
  private final Object refreshLock = new Object();
  private volatile ReaderState current;
  private volatile boolean closed;
  private volatile Instant lastRefreshAttempt;
  private volatile String lastRefreshError;

  private ShardedReader(ReaderConfig config) {
    this.config = config;
    this.metrics = ReaderMetrics.create(config.meterRegistry(), config.meterTags());
    this.store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
    try {
      // First, before anything native or threaded exists: a store that cannot open (a missing
      // password variable, say) then leaks nothing.
      this.manifests = config.manifestStore() == null ? new ObjectStoreManifestStore(store)
          : config.manifestStore().open(store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    this.downloads = Executors.newFixedThreadPool(config.downloadParallelism(),
        daemon("shardyfusion-reader-download"));
    this.housekeeping = Executors.newSingleThreadExecutor(
        daemon("shardyfusion-reader-housekeeping"));
    this.refresher = config.refreshInterval() == null || config.pinned() ? null
        : Executors.newSingleThreadScheduledExecutor(daemon("shardyfusion-reader-refresh"));
    this.readLimit = config.maxReadsPerSecond() > 0
        ? TokenBucket.perSecond(config.maxReadsPerSecond()) : null;
    this.cache = new ShardCache(config.localRoot(), store, metrics);
    this.loader = new StateLoader(manifests, cache,
        new ShardReadOptions(config.blockCacheBytes()), downloads, config.downloadListener());
  }

  /**
   * Opens the snapshot currently published under {@code config.s3Prefix()}. When that snapshot
   * cannot be served (malformed manifest, missing or corrupt shard), falls back to earlier
   * manifests, newest first, up to {@link ReaderConfig#maxFallbackAttempts()}; the reader then
   * serves the newest valid one and reports DEGRADED health until a refresh succeeds.
   *
   * @throws StorageException when no snapshot is published or the store is unreachable
   */
  public static ShardedReader open(ReaderConfig config) {
    ShardedReader reader = new ShardedReader(config);
    try {
      reader.current = reader.openWithFallback();
      reader.serving(reader.current, "opened");
      reader.metrics.bindGauges(() -> reader.current, ShardedReader::ageSeconds,
          reader.loader.openShards::get);
      if (reader.refresher != null) {
        long ms = config.refreshInterval().toMillis();
        reader.refresher.scheduleWithFixedDelay(reader::backgroundRefresh, ms, ms,
            TimeUnit.MILLISECONDS);
      }
      return reader;
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  private ReaderState openWithFallback() {
    if (config.pinned()) {
      // A pinned reader serves exactly what was asked for: no _CURRENT, no fallback.
      String ref = config.pinnedManifestRef();
      return loader.open(loader.loadManifest(ref), ref);
    }
    CurrentPointer pointer = loader.loadCurrent();
    try {
      return loader.open(loader.loadManifest(pointer), pointer.manifestRef());
    } catch (ShardyfusionException first) {
      if (config.maxFallbackAttempts() == 0 || isUnreachable(first)) {
        throw first;
      }
      for (String ref : loader.manifestRefsBefore(pointer.manifestRef(),
          config.maxFallbackAttempts())) {
        try {
          ReaderState s = loader.open(loader.loadManifest(ref), ref);
          lastRefreshError = "current snapshot " + pointer.manifestRef()
              + " could not be served (" + first.getMessage() + "); serving " + ref;
          LOG.atWarn().addKeyValue("manifest_ref", ref)
              .addKeyValue("current_manifest_ref", pointer.manifestRef())
              .log(lastRefreshError);
          return s;
        } catch (ShardyfusionException e) {
          LOG.atWarn().addKeyValue("manifest_ref", ref)
              .log("fallback manifest {} cannot be served either: {}", ref, e.getMessage());
        }
      }
      throw first;
    }
  }

  private static double ageSeconds(ReaderState s) {
    return Duration.between(s.manifest.required().createdAt(), Instant.now()).toMillis() / 1e3;
  }

  /** A state starts being served: the info gauge and one log line with its identity. */
  private void serving(ReaderState s, String how) {
    metrics.serving(s.manifest.runId(), s.manifestRef);
    LOG.atInfo().addKeyValue("run_id", s.manifest.runId())
        .addKeyValue("manifest_ref", s.manifestRef)
        .addKeyValue("num_dbs", s.manifest.numDbs())
        .addKeyValue("shards", s.manifest.shards().size())
        .log("reader {}: serving snapshot", how);
  }

  private static boolean isUnreachable(ShardyfusionException e) {
    return e instanceof StorageException && e.retryable();
  }

  // ---- lookups -------------------------------------------------------------------------

  /** The value of {@code key}, or null when the snapshot does not hold it. */
  public byte[] get(Object key) {
    return get(key, null);
  }

  /**
   * As {@link #get(Object)}, for multi-column CEL sharding whose routing reads other columns.
   */
  public byte[] get(Object key, Map<String, ?> routingContext) {
    long t0 = metrics.start();
    try {
      throttle(1);
      byte[] value;
      ReaderState s = acquire();
      try {
        RecordRouter.Routed k = s.keys.routeForLookup(key, routingContext);
        ShardReader shard = s.shard(k.dbId());
        value = shard == null ? null : shard.get(k.keyBytes());
      } finally {
        s.release();
      }
      metrics.getDone(t0, value != null);
      return value;
    } catch (RuntimeException e) {
      metrics.error(ReaderMetrics.Op.GET, e);
      throw e;
    }
  }

  /**
   * Values of many keys, read with one batched RocksDB call per shard, all from one snapshot.
   * The map has an entry for every distinct requested key, in request order, with null for keys
   * not in the snapshot. Map keys are the normalized keys ({@code Long} for integer
   * encodings); for {@code raw} keys, whose {@code byte[]} compare by identity, prefer
   * {@link #multiGetList}.
   */
  public Map<Object, byte[]> multiGet(List<?> keys) {
    return multiGet(keys, null);
  }

  /** As {@link #multiGet(List)}, all keys routed with one CEL routing context. */
  public Map<Object, byte[]> multiGet(List<?> keys, Map<String, ?> routingContext) {
    Object[] normalized = new Object[keys.size()];
    byte[][] values = lookupAll(keys, normalized, routingContext);
    Map<Object, byte[]> out = new LinkedHashMap<>();
    for (int i = 0; i < normalized.length; i++) {
      out.put(normalized[i], values[i]);
    }
    return out;
  }

  /** Values of many keys as a list parallel to {@code keys}, null where a key is absent. */
  public List<byte[]> multiGetList(List<?> keys) {
    return Arrays.asList(lookupAll(keys, new Object[keys.size()], null));
  }

  /** A multiGet, timed and counted as one: the batch's latency, its keys found and missing. */
  private byte[][] lookupAll(List<?> keys, Object[] normalized,
      Map<String, ?> routingContext) {
    long t0 = metrics.start();
    try {
      throttle(keys.size());
      byte[][] values;
      ReaderState s = acquire();
      try {
        values = lookupAll(s, keys, normalized, routingContext);
      } finally {
        s.release();
      }
      int found = 0;
      for (byte[] v : values) {
        if (v != null) {
          found++;
        }
      }
      metrics.multiGetDone(t0, values.length, found);
      return values;
    } catch (RuntimeException e) {
      metrics.error(ReaderMetrics.Op.MULTI_GET, e);
      throw e;
    }
  }

  private static byte[][] lookupAll(ReaderState s, List<?> keys, Object[] normalized,
      Map<String, ?> routingContext) {
    int n = keys.size();
    Map<Integer, List<Integer>> byShard = new HashMap<>();
    byte[][] encodedKeys = new byte[n][];
    for (int i = 0; i < n; i++) {
      RecordRouter.Routed k = s.keys.routeForLookup(keys.get(i), routingContext);
      normalized[i] = k.key();
      encodedKeys[i] = k.keyBytes();
      byShard.computeIfAbsent(k.dbId(), x -> new ArrayList<>()).add(i);
    }
    byte[][] values = new byte[n][];
    for (Map.Entry<Integer, List<Integer>> e : byShard.entrySet()) {
      ShardReader shard = s.shard(e.getKey());
      if (shard == null) {
        continue;
      }
      List<Integer> idx = e.getValue();
      List<byte[]> encoded = new ArrayList<>(idx.size());
      for (int i : idx) {
        encoded.add(encodedKeys[i]);
      }
      List<byte[]> found = shard.multiGet(encoded);
      for (int j = 0; j < idx.size(); j++) {
        values[idx.get(j)] = found.get(j);
      }
    }
    return values;
  }

  /** {@link #get(Object)} on {@code executor}; the future fails as {@code get} would throw. */
  public CompletableFuture<byte[]> getAsync(Object key, Executor executor) {
    return CompletableFuture.supplyAsync(() -> get(key), executor);
  }

  /** {@link #multiGet(List)} on {@code executor}. */
  public CompletableFuture<Map<Object, byte[]>> multiGetAsync(List<?> keys, Executor executor) {
    return CompletableFuture.supplyAsync(() -> multiGet(keys), executor);
  }

  /** {@link #refresh()} on {@code executor}. */
  public CompletableFuture<Boolean> refreshAsync(Executor executor) {
    return CompletableFuture.supplyAsync(this::refresh, executor);
  }

  // ---- routing and metadata ------------------------------------------------------------

  /** The shard id a key routes to in the snapshot being served. */
  public int routeKey(Object key) {
    return routeKey(key, null);
  }

  /** The shard id a key routes to, for multi-column CEL sharding. */
  public int routeKey(Object key, Map<String, ?> routingContext) {
    ReaderState s = acquire();
    try {
      return s.keys.shardOf(key, routingContext);
    } finally {
      s.release();
    }
  }

  /** The shard a key routes to, with its metadata. */
  public ShardDetail shardForKey(Object key) {
    ReaderState s = acquire();
    try {
      return detail(s, s.keys.shardOf(key, null));
    } finally {
      s.release();
    }
  }

  /** Every shard id of the snapshot, 0..numDbs-1, including empty shards. */
  public List<ShardDetail> shardDetails() {
    ReaderState s = acquire();
    try {
      List<ShardDetail> out = new ArrayList<>(s.manifest.numDbs());
      for (int id = 0; id < s.manifest.numDbs(); id++) {
        out.add(detail(s, id));
      }
      return out;
    } finally {
      s.release();
    }
  }

  private static ShardDetail detail(ReaderState s, int dbId) {
    ShardMeta m = s.manifest.shard(dbId).orElse(null);
    if (m == null) {
      return new ShardDetail(dbId, 0, 0, null, null, null, null, null);
    }
    return new ShardDetail(dbId, m.rowCount(), m.dbBytes(), m.minKey(), m.maxKey(), m.dbUrl(),
        m.attempt(), s.localDir(dbId));
  }

  public SnapshotInfo snapshotInfo() {
    ReaderState s = acquire();
    try {
      return info(s);
    } finally {
      s.release();
    }
  }

  private static SnapshotInfo info(ReaderState s) {
    Manifest m = s.manifest;
    return new SnapshotInfo(m.runId(), s.manifestRef, m.required().createdAt(), m.numDbs(),
        m.shards().size(), m.totalRows(), m.totalBytes(), m.required().keyEncoding(),
        m.shardingSpec().toString(), s.loadedAt);
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
   * Health for a service's health check.
   *
   * @param maxStaleness how old the served snapshot may be (by its manifest's created_at)
   *     before the reader reports DEGRADED
   */
  public ReaderHealth health(Duration maxStaleness) {
    ReaderState s = current;
    if (closed || s == null) {
      return new ReaderHealth(ReaderHealth.Status.UNHEALTHY, null, null, lastRefreshAttempt,
          lastRefreshError, List.of("the reader is closed"));
    }
    Duration age = Duration.between(s.manifest.required().createdAt(), Instant.now());
    List<String> reasons = new ArrayList<>();
    if (age.compareTo(maxStaleness) > 0) {
      reasons.add("snapshot " + s.manifest.runId() + " is " + age + " old, more than "
          + maxStaleness);
    }
    String error = lastRefreshError;
    if (error != null) {
      reasons.add("last refresh failed: " + error);
    }
    return new ReaderHealth(reasons.isEmpty() ? ReaderHealth.Status.HEALTHY
        : ReaderHealth.Status.DEGRADED, s.manifest.runId(), age, lastRefreshAttempt, error,
        List.copyOf(reasons));
  }

  // ---- refresh and lifecycle -----------------------------------------------------------

  public void addRefreshListener(RefreshListener listener) {
    listeners.add(listener);
  }

  public void removeRefreshListener(RefreshListener listener) {
    listeners.remove(listener);
  }

  /**
   * Switches to the snapshot {@code _CURRENT} names now, if it differs from the one being
   * served. Concurrent refreshes are serialized; reads go on meanwhile.
   *
   * <p>A reader with {@link ReaderConfig#pinnedManifestRef()} set never reads {@code _CURRENT}
   * and always returns false.
   *
   * @return true if a new snapshot was swapped in, false if already current (or pinned)
   * @throws ShardyfusionException if the new snapshot cannot be loaded; the current one keeps
   *     serving
   */
  public boolean refresh() {
    SnapshotInfo before;
    SnapshotInfo after;
    synchronized (refreshLock) {
      ReaderState old = acquire();
      String servedRef;
      try {
        servedRef = old.manifestRef;
        before = info(old);
      } finally {
        old.release();
      }
      if (config.pinned()) {
        // Pinned: never read _CURRENT; the pinned manifest is always the one to serve.
        lastRefreshError = null;
        return false;
      }
      lastRefreshAttempt = Instant.now();
      long t0 = metrics.start();
      ReaderState next;
      try {
        CurrentPointer pointer = loader.loadCurrent();
        if (pointer.manifestRef().equals(servedRef)) {
          lastRefreshError = null;
          metrics.refreshDone(t0, ReaderMetrics.RefreshOutcome.UNCHANGED);
          return false;
        }
        next = loader.open(loader.loadManifest(pointer), pointer.manifestRef());
      } catch (RuntimeException e) {
        lastRefreshError = e.getMessage();
        metrics.refreshDone(t0, ReaderMetrics.RefreshOutcome.FAILED);
        metrics.error(ReaderMetrics.Op.REFRESH, e);
        LOG.atWarn().addKeyValue("run_id", before.runId())
            .addKeyValue("manifest_ref", before.manifestRef())
            .addKeyValue("error_type", e.getClass().getSimpleName())
            .log("refresh failed; still serving the previous snapshot: {}", e.getMessage());
        listeners.forEach(l -> notify(() -> l.onRefreshFailed(e)));
        throw e;
      }
      current.onClosed(this::evictLocalFiles);
      // close() takes refreshLock too, so the reader cannot close between here and the swap.
      ReaderState previous = current;
      current = next;
      previous.release();
      lastRefreshError = null;
      after = info(next);
      metrics.refreshDone(t0, ReaderMetrics.RefreshOutcome.SWAPPED);
      serving(next, "refreshed from run " + before.runId());
    }
    listeners.forEach(l -> notify(() -> l.onRefreshed(before, after)));
    return true;
  }

  private void backgroundRefresh() {
    try {
      refresh();
    } catch (ReaderStateException closing) {
      // closed between schedule and run
    } catch (RuntimeException e) {
      // refresh() logged it, with the served snapshot's identity
    }
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("a refresh listener threw: {}", e.toString());
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
      metrics.close();
      ReaderState s = current;
      if (s != null) {
        s.release();
      }
    }
    if (refresher != null) {
      refresher.shutdownNow();
    }
    downloads.shutdownNow();
    housekeeping.shutdown();
    loader.close();
    manifests.close();
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
        // either finished, and its state is current and kept, or not started (its use marks
        // would protect them anyway).
        evictUnusedLocalFiles();
      });
    } catch (RejectedExecutionException e) {
      // closing: the files stay for the next start
    }
  }

  /**
   * Deletes the local shard directories under {@code localRoot} that neither the current
   * snapshot nor anyone else uses now: another reader in this JVM or another process sharing
   * the root holds a shared file lock on what it has open or is loading, and those are skipped
   * until released. This runs by itself after every refresh (off the refreshing thread); call
   * it to reclaim space at once, e.g. after another process sharing the root moved on:
   *
   * <pre>{@code
   * int removed = reader.evictUnusedLocalFiles();
   * }</pre>
   *
   * @return the number of directories deleted
   */
  public int evictUnusedLocalFiles() {
    synchronized (refreshLock) {
      ReaderState now = current;
      return closed || now == null ? 0 : cache.evictUnused(now.localDirs);
    }
  }

  /** Waits until housekeeping queued so far (local file eviction) has run. For tests. */
  void awaitHousekeeping() throws Exception {
    housekeeping.submit(() -> { }).get();
  }

  private void throttle(int keys) {
    if (readLimit != null && keys > 0) {
      long waited = readLimit.acquire(keys);
      if (waited > 0) {
        metrics.rateLimited(waited);
      }
    }
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

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
