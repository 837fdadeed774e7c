package io.shardyfusion.writer;

import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.errors.ShardBuildException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.ratelimit.TokenBucket;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.routing.RecordRouter;
import io.shardyfusion.routing.RoutingValueInference;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.publish.RunIds;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.sort.ExternalSorter;
import io.shardyfusion.writer.sort.ShardBuild;
import java.nio.file.Path;
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
import java.util.function.Supplier;
import org.slf4j.MDC;

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
 * attempt-isolated paths, and published manifest first, {@code _CURRENT} second, following the
 * steps of {@link RunLifecycle}. A shard whose build or upload fails retryably is tried again
 * as {@link WriteConfig#shardRetry()} says (off by default). If anything fails the previous
 * snapshot stays current and, by
 * the lifecycle's failure rule (nobody retries here), this run's uploads are removed and its
 * record says FAILED.
 */
public final class SnapshotWriter {
  private static final String WRITER_NAME = "in-process";

  /** The MDC keys (and key/value log keys) of writer log lines. */
  static final String RUN_ID = "run_id";
  static final String SHARD_ID = "shard_id";

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
    if (config.inferRoutingValues()) {
      // A first pass over the records, as the Python writers make: the tokens decide the
      // shard count, so they must be known before the first record is routed.
      config = config.withRoutingValues(inferRoutingValues(records, config, keyFn,
          routingContextFn));
    }
    RunLifecycle lifecycle = RunLifecycle.create(config, WRITER_NAME, RunLifecycle.Retries.NONE);
    String runId = lifecycle.runId();
    WriterMetrics metrics = WriterMetrics.create(options.meterRegistry(), options.meterTags());
    long writeStart = metrics.start();
    metrics.writeStarted();
    boolean published = false;
    // Every log line of this write, on this thread and the build threads, names the run.
    MDC.MDCCloseable mdc = MDC.putCloseable(RUN_ID, runId);
    ObjectStore opened = null;
    Path buildDir = config.tempDir().resolve("build-" + runId + "-" + RunIds.newAttemptId());
    ExecutorService pool = options.parallel()
        ? Executors.newFixedThreadPool(options.parallelism(), daemonThreads(runId)) : null;
    try (mdc; ObjectStore store = ObjectStores.open(config.s3Prefix(),
        config.s3ConnectionOptions(), config.credentialProvider());
        ManifestStore manifests = config.openManifestStore(store);
        ExternalSorter sorter = new ExternalSorter(buildDir.resolve("sort"),
            options.sortBufferBytes(), pool)) {
      // Cheap requests before any work: a wrong endpoint, bucket, credential or database fails
      // in milliseconds instead of after the whole input was sorted and built.
      opened = store;
      preflight(store, manifests);
      ShardCount shardCount = config.shardCount().resolve(() -> countRows(records));
      RecordRouter keys = new RecordRouter(
          shardCount.router(config.sharding(), config.keyEncoding()), config.keyEncoding());
      long routeStart = metrics.start();
      routeAndSort(records, keys, keyFn, valueFn, routingContextFn, options, sorter, metrics);
      metrics.phaseDone(WriterMetrics.Phase.ROUTE_SORT, routeStart);
      long shardingMs = (System.nanoTime() - t0) / 1_000_000;

      RunLifecycle.Run run = lifecycle.begin(store, manifests);
      try {
        List<ShardAttempt> attempts = buildAndUpload(run, config, sorter, buildDir, pool,
            metrics);
        long publishStart = metrics.start();
        BuildResult result = run.publish(attempts, shardCount, shardingMs);
        metrics.phaseDone(WriterMetrics.Phase.PUBLISH, publishStart);
        metrics.written(result.stats().rowsWritten(), result.stats().bytesWritten());
        published = true;
        return result;
      } catch (RuntimeException e) {
        throw run.fail(e);
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
      deleteTree(buildDir);
      if (opened != null) {
        metrics.s3Retries(opened.requestRetries());
      }
      metrics.writeDone(writeStart, published);
    }
  }

  /** One request to each store (one in all when manifests live in the object store). */
  static void preflight(ObjectStore store, ManifestStore manifests) {
    manifests.loadCurrent();
    if (!(manifests instanceof ObjectStoreManifestStore)) {
      store.getIfExists(SnapshotLayout.CURRENT);
    }
  }

  /** The distinct tokens of {@code records}, in Python's order (bounded, see the limit). */
  static <T> List<Object> inferRoutingValues(Iterable<T> records, WriteConfig config,
      Function<? super T, ?> keyFn,
      Function<? super T, ? extends Map<String, ?>> contextFn) {
    RoutingValueInference.Tokens tokens = RoutingValueInference.tokens(config.sharding(),
        config.keyEncoding());
    RoutingValueInference.Distinct seen = new RoutingValueInference.Distinct();
    long index = 0;
    for (T record : records) {
      try {
        seen.add(tokens.of(keyFn.apply(record), contextFn == null ? null
            : contextFn.apply(record)));
      } catch (KeyValidationException e) {
        throw new KeyValidationException("record #" + index + ": " + e.getMessage(), e);
      } catch (RoutingException e) {
        throw new RoutingException("record #" + index + ": " + e.getMessage(), e);
      }
      index++;
    }
    return seen.sorted();
  }

  private static long countRows(Iterable<?> records) {
    if (records instanceof Collection<?> c) {
      return c.size();
    }
    long n = 0;
    for (Object ignored : records) {
      n++;
    }
    return n;
  }

  private static <T> void routeAndSort(Iterable<T> records, RecordRouter keys,
      Function<? super T, ?> keyFn, Function<? super T, byte[]> valueFn,
      Function<? super T, ? extends Map<String, ?>> contextFn, WriteOptions options,
      ExternalSorter sorter, WriterMetrics metrics) {
    TokenBucket rows = options.maxWritesPerSecond() > 0
        ? TokenBucket.perSecond(options.maxWritesPerSecond()) : null;
    TokenBucket bytes = options.maxWriteBytesPerSecond() > 0
        ? TokenBucket.perSecond(options.maxWriteBytesPerSecond()) : null;
    long index = 0;
    long batchRows = 0;
    long batchBytes = 0;
    for (T record : records) {
      long i = index;
      RecordRouter.Record r = keys.prepare(record, keyFn, contextFn, valueFn,
          () -> "record #" + i);
      int size = r.key().length + r.value().length;
      if (rows != null) {
        long waited = rows.acquire(1);
        if (waited > 0) {
          metrics.rowsLimited(waited);
        }
      }
      if (bytes != null) {
        long waited = bytes.acquire(Math.max(1, size));
        if (waited > 0) {
          metrics.bytesLimited(waited);
        }
      }
      sorter.add(r.dbId(), r.key(), r.value());
      index++;
      batchRows++;
      batchBytes += size;
      if (batchRows == WriterMetrics.FLUSH_EVERY) {
        metrics.routed(batchRows, batchBytes);
        batchRows = 0;
        batchBytes = 0;
      }
    }
    metrics.routed(batchRows, batchBytes);
    sorter.finishInput();
  }

  /**
   * Builds and uploads every non-empty shard. Each shard's CPU-bound half (merge + SST writes)
   * runs on the caller thread (single mode) or the pool (parallel mode); its I/O-bound half
   * (finish + fsync, ingest, checksum, upload) is handed to I/O threads so that the next shard's
   * records flow meanwhile. A semaphore bounds how many written shards wait for their I/O.
   */
  private static List<ShardAttempt> buildAndUpload(RunLifecycle.Run run, WriteConfig config,
      ExternalSorter sorter, Path buildDir, ExecutorService pool, WriterMetrics metrics) {
    String runId = run.runId();
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
        ShardRetrier retrier = new ShardRetrier(config.shardRetry(), runId, dbId);
        // A retry re-reads the shard's records from the sorter (its cursors can be opened
        // again) into an emptied directory; the rare rebuild after a failed finish runs on the
        // I/O thread rather than the compute pool.
        Supplier<ShardBuild.Pending> build = () -> {
          deleteTree(dbDir);
          return ShardBuild.write(config.shardBackend(), dbId, sorter.cursor(dbId), dbDir,
              config.keyEncoding());
        };
        CompletableFuture<ShardAttempt> f = CompletableFuture
            .supplyAsync(() -> {
              pending.acquireUninterruptibly();
              try (MDC.MDCCloseable r = MDC.putCloseable(RUN_ID, runId);
                  MDC.MDCCloseable s = MDC.putCloseable(SHARD_ID, Integer.toString(dbId))) {
                long buildStart = metrics.start();
                ShardBuild.Pending written = retrier.run("build", build, build);
                metrics.phaseDone(WriterMetrics.Phase.BUILD, buildStart);
                return written;
              } catch (RuntimeException e) {
                pending.release();
                throw e;
              }
            }, compute)
            .thenApplyAsync(written -> {
              try (MDC.MDCCloseable r = MDC.putCloseable(RUN_ID, runId);
                  MDC.MDCCloseable s = MDC.putCloseable(SHARD_ID, Integer.toString(dbId))) {
                long uploadStart = metrics.start();
                BuiltShard shard = retrier.run("build", written::complete,
                    () -> build.get().complete());
                // The built files are immutable: a failed upload is retried with the same
                // files, into a fresh attempt directory.
                ShardAttempt attempt = retrier.run("upload", () -> run.upload(shard, start),
                    () -> run.upload(shard, start));
                metrics.phaseDone(WriterMetrics.Phase.UPLOAD, uploadStart);
                ShardMeta base = run.base().get(dbId);
                boolean reused = base != null && base.dbUrl().equals(attempt.dbUrl());
                metrics.shardDone(start, reused, reused ? 0
                    : attempt.files().stream().mapToLong(ShardFile::size).sum());
                return attempt;
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

  private static void deleteTree(Path dir) {
    ShardAttemptWriter.deleteTree(dir);
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
