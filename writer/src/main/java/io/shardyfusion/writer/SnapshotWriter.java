package io.shardyfusion.writer;

import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.errors.ShardBuildException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.writer.PreviousSnapshot;
import io.shardyfusion.writer.publish.RunIds;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.publish.ShardUploader;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.ratelimit.TokenBucket;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.writer.publish.RunLease;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.writer.sort.ExternalSorter;
import io.shardyfusion.writer.sort.ShardBuild;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and publishes a snapshot from an {@link Iterable} in this JVM: the counterpart of the
 * Python system's {@code writer.python.write_sharded}.
 *
 * <pre>{@code
 * BuildResult result = SnapshotWriter.writeSharded(users, config,
 *     User::id, user -> user.toJson().getBytes(UTF_8),
 *     WriteOptions.defaults().withParallel(true));
 * }</pre>
 *
 * <p>Records are routed, sorted in a fixed amount of heap (spilling to {@link
 * WriteConfig#tempDir()}), built into one RocksDB database per shard, uploaded to
 * attempt-isolated paths, and published manifest first, {@code _CURRENT} second. If anything
 * fails the previous snapshot stays current and this run's uploads are removed.
 */
public final class SnapshotWriter {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotWriter.class);
  private static final String WRITER_NAME = "in-process";

  private SnapshotWriter() {}

  /** Single-threaded, unlimited rate. */
  public static <T> BuildResult writeSharded(Iterable<T> records, WriteConfig config,
      Function<? super T, ?> keyFn, Function<? super T, byte[]> valueFn) {
    return writeSharded(records, config, keyFn, valueFn, null, WriteOptions.defaults());
  }

  public static <T> BuildResult writeSharded(Iterable<T> records, WriteConfig config,
      Function<? super T, ?> keyFn, Function<? super T, byte[]> valueFn, WriteOptions options) {
    return writeSharded(records, config, keyFn, valueFn, null, options);
  }

  /**
   * @param routingContextFn the columns a multi-column CEL expression reads, per record; null
   *     when routing reads only the key
   */
  public static <T> BuildResult writeSharded(Iterable<T> records, WriteConfig config,
      Function<? super T, ?> keyFn, Function<? super T, byte[]> valueFn,
      Function<? super T, ? extends Map<String, ?>> routingContextFn, WriteOptions options) {
    if (config.sharding().needsRoutingContext() && routingContextFn == null) {
      throw new io.shardyfusion.errors.ConfigValidationException("the CEL expression reads "
          + "columns " + config.sharding().celColumns().keySet() + "; pass a routingContextFn "
          + "that returns them for each record");
    }
    long t0 = System.nanoTime();
    Instant createdAt = Instant.now();
    String runId = config.runId() != null ? config.runId() : RunIds.newRunId(createdAt);
    Path buildDir = config.tempDir().resolve("build-" + runId + "-" + RunIds.newAttemptId());
    ExecutorService pool = options.parallel()
        ? Executors.newFixedThreadPool(options.parallelism(), daemonThreads(runId)) : null;
    boolean uploadsStarted = false;
    boolean publishStarted = false;
    RunLease lease = null;
    try (ObjectStore store = ObjectStores.open(config.s3Prefix(),
        config.s3ConnectionOptions(), config.credentialProvider());
        ManifestStore manifests = config.openManifestStore(store);
        ExternalSorter sorter = new ExternalSorter(buildDir.resolve("sort"),
            options.sortBufferBytes(), pool)) {
      // Cheap requests before any work: a wrong endpoint, bucket, credential or database fails
      // in milliseconds instead of after the whole input was sorted and built.
      preflight(store, manifests);
      int numDbs = resolveNumDbs(config, records);
      ShardRouter router = config.discoversNumDbs()
          ? ShardRouters.createDiscovering(config.sharding(), config.keyEncoding())
          : ShardRouters.create(config.sharding(), numDbs, config.keyEncoding());

      routeAndSort(records, config.keyEncoding(), router, keyFn, valueFn, routingContextFn,
          options, sorter);
      long t1 = System.nanoTime();

      uploadsStarted = true;
      PreviousSnapshot.Reusable previous = PreviousSnapshot.load(manifests, config);
      // The record goes first: cleanup must see the run as live before any of its uploads.
      lease = RunLease.start(new RunRecords(store, Clock.systemUTC(), manifests.location()),
          runId, config.runLease(), WRITER_NAME, previous.manifestRef());
      // Until the record existed, nothing protected the base from cleanup; if the pointer
      // moved meanwhile, that base may be judged old: reuse nothing rather than risk it.
      if (previous.manifestRef() != null && !previous.manifestRef().equals(manifests
          .loadCurrent().map(CurrentPointer::manifestRef)
          .orElse(null))) {
        previous = PreviousSnapshot.Reusable.NONE;
      }
      List<ShardAttempt> attempts = buildAndUpload(store, config, runId, sorter, buildDir, pool,
          previous.shards(), lease);
      long t2 = System.nanoTime();

      publishStarted = true;
      RunPublisher.Outcome published = RunPublisher.publish(store, manifests, config, runId,
          createdAt, config.discoversNumDbs() ? -1 : numDbs, attempts);
      long t3 = System.nanoTime();

      int finalNumDbs = published.manifest().numDbs();
      BuildStats stats = new BuildStats(sorter.totalRecords(), sorter.totalBytes(), finalNumDbs,
          published.winners().size(), attempts.size(), ms(t1 - t0), ms(t2 - t1), ms(t3 - t2),
          ms(t3 - t0));
      LOG.info("run {}: {} rows in {} shards, {} ms ({} rows/s)", runId, stats.rowsWritten(),
          finalNumDbs, stats.totalMs(), Math.round(stats.rowsPerSecond()));
      return new BuildResult(runId, published.manifest().shards(), published.manifestRef(),
          stats);
    } catch (RuntimeException e) {
      if (uploadsStarted) {
        abandonRun(config, runId, lease != null, publishStarted);
      }
      throw e;
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
      deleteTree(buildDir);
    }
  }

  /** One request to each store (one in all when manifests live in the object store). */
  static void preflight(ObjectStore store, ManifestStore manifests) {
    manifests.loadCurrent();
    if (!(manifests instanceof ObjectStoreManifestStore)) {
      store.getIfExists(SnapshotLayout.CURRENT);
    }
  }

  /**
   * Whether the pointer names this run although publishing reported an error (e.g. the
   * database committed and then the connection dropped): its files are then live, not debris.
   * When that cannot be told, the answer is yes: leaving debris is safe, deleting live shards is
   * not.
   */
  private static boolean publishedAnyway(WriteConfig config, ObjectStore store, String runId) {
    try (ManifestStore manifests = config.openManifestStore(store)) {
      boolean live = manifests.loadCurrent().map(p -> p.runId().equals(runId)).orElse(false);
      if (live) {
        LOG.warn("run {} reported a publish error but the current pointer names it; keeping "
            + "its files", runId);
      }
      return live;
    } catch (RuntimeException e) {
      LOG.warn("run {} failed while publishing and the manifest store cannot tell whether it "
          + "went live ({}); keeping its files for cleanup to judge", runId, e.toString());
      return true;
    }
  }

  private static <T> int resolveNumDbs(WriteConfig config, Iterable<T> records) {
    if (config.numDbs() != null) {
      return config.numDbs();
    }
    if (config.sharding().impliedNumDbs() > 0) {
      return config.sharding().impliedNumDbs();
    }
    if (config.maxKeysPerShard() != null) {
      long rows = records instanceof Collection<?> c ? c.size() : count(records);
      long n = Math.max(1, (rows + config.maxKeysPerShard() - 1) / config.maxKeysPerShard());
      if (n > WriteConfig.MAX_NUM_DBS) {
        throw new io.shardyfusion.errors.ConfigValidationException(rows + " rows at "
            + "maxKeysPerShard=" + config.maxKeysPerShard() + " need " + n + " shards, more than "
            + WriteConfig.MAX_NUM_DBS + "; raise maxKeysPerShard");
      }
      return (int) n;
    }
    return -1; // discovered after routing
  }

  private static long count(Iterable<?> records) {
    long n = 0;
    for (Object ignored : records) {
      n++;
    }
    return n;
  }

  private static <T> void routeAndSort(Iterable<T> records, KeyEncoding encoding,
      ShardRouter router, Function<? super T, ?> keyFn, Function<? super T, byte[]> valueFn,
      Function<? super T, ? extends Map<String, ?>> contextFn, WriteOptions options,
      ExternalSorter sorter) {
    TokenBucket rows = options.maxWritesPerSecond() > 0
        ? TokenBucket.perSecond(options.maxWritesPerSecond()) : null;
    TokenBucket bytes = options.maxWriteBytesPerSecond() > 0
        ? TokenBucket.perSecond(options.maxWriteBytesPerSecond()) : null;
    long index = 0;
    for (T record : records) {
      Object key;
      int dbId;
      byte[] keyBytes;
      byte[] value;
      try {
        key = encoding.normalize(keyFn.apply(record));
        dbId = contextFn == null ? router.route(key) : router.route(key, contextFn.apply(record));
        keyBytes = encoding.encodeNormalized(key);
        value = valueFn.apply(record);
      } catch (KeyValidationException e) {
        throw new KeyValidationException("record #" + index + ": " + e.getMessage(), e);
      } catch (RoutingException e) {
        throw new RoutingException("record #" + index + ": " + e.getMessage(), e);
      }
      if (value == null) {
        throw new KeyValidationException("record #" + index + " (key " + key + "): the value "
            + "function returned null; every record needs a value (use an empty array for none)");
      }
      if (rows != null) {
        rows.acquire(1);
      }
      if (bytes != null) {
        bytes.acquire(Math.max(1, keyBytes.length + value.length));
      }
      sorter.add(dbId, keyBytes, value);
      index++;
    }
    sorter.finishInput();
  }

  /**
   * Builds and uploads every non-empty shard. Each shard's CPU-bound half (merge + SST writes)
   * runs on the caller thread (single mode) or the pool (parallel mode); its I/O-bound half
   * (finish + fsync, ingest, checksum, upload) is handed to I/O threads so that the next shard's
   * records flow meanwhile. A semaphore bounds how many written shards wait for their I/O.
   */
  private static List<ShardAttempt> buildAndUpload(ObjectStore store, WriteConfig config,
      String runId, ExternalSorter sorter, Path buildDir, ExecutorService pool,
      Map<Integer, ShardMeta> previous, RunLease lease) {
    int ioThreads = pool == null ? 1 : 2;
    ExecutorService io = Executors.newFixedThreadPool(ioThreads, daemonThreads(runId + "-io"));
    Semaphore pending = new Semaphore(ioThreads + 1);
    Executor compute = pool == null ? Runnable::run : pool;
    List<CompletableFuture<ShardAttempt>> futures = new ArrayList<>();
    try {
      for (int id = 0; id <= sorter.maxShardId(); id++) {
        if (sorter.records(id) == 0) {
          continue;
        }
        int dbId = id;
        long start = System.nanoTime();
        Path dbDir = buildDir.resolve(String.format("db=%05d", dbId));
        CompletableFuture<ShardAttempt> f = CompletableFuture
            .supplyAsync(() -> {
              pending.acquireUninterruptibly();
              try {
                return ShardBuild.write(config.shardBackend(), dbId, sorter.cursor(dbId), dbDir,
                    config.keyEncoding());
              } catch (RuntimeException e) {
                pending.release();
                throw e;
              }
            }, compute)
            .thenApplyAsync(written -> {
              try {
                BuiltShard shard = written.complete();
                ShardAttempt uploaded = ShardUploader.upload(store, runId, RunIds.newAttemptId(),
                    shard, config.keyEncoding(), WRITER_NAME, start, previous.get(dbId));
                lease.renewIfDue();
                return uploaded;
              } finally {
                pending.release();
                deleteTree(dbDir);
              }
            }, io);
        futures.add(f);
        if (pool == null && f.isCompletedExceptionally()) {
          break; // the caller thread's half failed: stop building more shards
        }
      }
      List<ShardAttempt> out = new ArrayList<>();
      for (CompletableFuture<ShardAttempt> f : futures) {
        out.add(f.join());
      }
      return out;
    } catch (CompletionException e) {
      futures.forEach(x -> x.cancel(true));
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new ShardBuildException("building a shard failed: " + e.getCause(), false,
          e.getCause());
    } finally {
      io.shutdownNow();
    }
  }

  /**
   * A failed run leaves nothing behind that a cleanup would have to find, and says FAILED so
   * cleanup need not wait for its lease to expire. Best effort: the caller rethrows the
   * original failure, which these must never replace.
   */
  private static void abandonRun(WriteConfig config, String runId, boolean hasRecord,
      boolean publishStarted) {
    try (ObjectStore store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider())) {
      if (publishStarted && publishedAnyway(config, store, runId)) {
        return;
      }
      try {
        List<String> keys = store.list(SnapshotLayout.runShardsPrefix(runId)).stream()
            .map(ObjectInfo::key).toList();
        store.deleteAll(keys);
      } catch (ShardyfusionException | IllegalStateException e) {
        LOG.warn("run {} failed and its partial uploads could not be removed: {}", runId,
            e.toString());
      }
      if (hasRecord) {
        new RunRecords(store, Clock.systemUTC()).finish(runId, RunStatus.FAILED);
      }
    } catch (ShardyfusionException | IllegalStateException e) {
      LOG.warn("run {} failed and could not be marked FAILED (its lease will expire): {}",
          runId, e.toString());
    }
  }

  private static void deleteTree(Path dir) {
    ShardAttemptWriter.deleteTree(dir);
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String runId) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "shardyfusion-" + runId + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
