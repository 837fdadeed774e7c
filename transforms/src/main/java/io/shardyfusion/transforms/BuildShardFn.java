package io.shardyfusion.transforms;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.PreviousSnapshot;
import io.shardyfusion.writer.RunLifecycle;
import io.shardyfusion.writer.ShardAttemptWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.sort.RecordCursor;
import io.shardyfusion.writer.sort.RunMerger;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.slf4j.MDC;

/**
 * Steps 1 to 3 of the {@link RunLifecycle} for one shard: joins the run (its record RUNNING
 * before anything is uploaded), merges the shard's sorted runs (from {@link SortRunsFn}) and
 * builds the shard from them, then uploads it as a fresh attempt. The group is read once and
 * never collected: runs are held up to the sort-buffer size, then merged to a local spill file
 * ({@link RunMerger}), so on runners whose group iterables are lazy (Flink, Spark with
 * {@code --preferGroupByKeyToHandleHugeValues}) and with run files (the Direct runner) a shard
 * larger than the heap builds in a fixed heap.
 *
 * <p>A bundle joins the run once, at its first shard (on Flink and Spark a bundle is a task's
 * whole partition). Each shard's records are written on the task's thread, the only one that
 * may read the group; finishing its files and uploading them (the I/O half) runs on the
 * bundle's upload thread while the next shard's records are written, as in the in-process
 * writer, with at most two shards waiting. Attempts are output, and the test hook called, on
 * the task's thread as their uploads end, all of them by {@code finishBundle}; an upload's
 * failure fails the bundle.
 *
 * <p>Duplicates: a run handed to the task twice (the same bundle attempt id and sequence
 * number) is used once; this guards against a runner delivering one shuffle element twice.
 * Runs of different bundle attempts are all used: Beam discards the outputs of a failed bundle
 * attempt, so two attempts' runs never meet here, and a key present in two runs is a true
 * duplicate that fails the build with {@link io.shardyfusion.errors.DuplicateKeyException}.
 *
 * <p>A failure follows the lifecycle's rule under {@link RunLifecycle.Retries#BY_RUNNER}: a
 * retryable one is left to the runner's retry of the bundle; a non-retryable one (duplicate
 * keys) ends the run.
 */
final class BuildShardFn extends DoFn<KV<Integer, Iterable<SortedRun>>, ShardAttempt> {
  private static final long serialVersionUID = 1L;
  static final String WRITER_NAME = ShardedWrite.ENGINE;

  /**
   * Shards written and waiting for (or in) their upload, per task. Two: one uploading while
   * the next waits, as in the in-process writer, so at most three shards' files are on local
   * disk per task.
   */
  private static final int MAX_WAITING_UPLOADS = 2;

  private final RunLifecycle lifecycle;
  private final long mergeBufferBytes;
  private final AttemptHook hook;
  private final ShardWriteLimit limit;
  private final PCollectionView<Long> shardTasksView; // null when nothing is rate limited
  private transient ObjectStore store;
  private transient PreviousSnapshot.Reusable loaded;
  private transient Bundle bundle;

  BuildShardFn(RunLifecycle lifecycle, long mergeBufferBytes, AttemptHook hook,
      ShardWriteLimit limit, PCollectionView<Long> shardTasksView) {
    this.lifecycle = lifecycle;
    this.mergeBufferBytes = mergeBufferBytes;
    this.hook = hook;
    this.limit = limit;
    this.shardTasksView = shardTasksView;
  }

  @Setup
  public void setup() {
    WriteConfig config = lifecycle.config();
    store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
    try (ManifestStore manifests = config.openManifestStore(store)) {
      loaded = PreviousSnapshot.load(manifests, config);
    }
  }

  @StartBundle
  public void startBundle() {
    closeBundle(); // a failed bundle's, if the runner reuses this instance
  }

  /**
   * Writes the shard's records on this thread (the group may be readable only here), then
   * hands finishing and uploading its files to the task's upload thread so that the next
   * shard's records are written meanwhile; attempts are output as their uploads end, all of
   * them by the end of the bundle.
   */
  @ProcessElement
  public void process(ProcessContext c) {
    long start = System.nanoTime();
    int dbId = ShardSpread.shardOf(c.element().getKey());
    Iterable<SortedRun> runs = c.element().getValue();
    long shardTasks = shardTasksView == null ? 1 : c.sideInput(shardTasksView);
    Bundle b = bundle();
    b.outputFinished(c::output, MAX_WAITING_UPLOADS - 1);
    ShardAttemptWriter.Written written;
    try {
      written = b.run.writeSorted(dbId, dir -> limit.limit(
          merge(runs, new RunMerger(dir, mergeBufferBytes)), shardTasks));
    } catch (RuntimeException e) {
      throw b.fail(e);
    }
    if (written != null) {
      b.upload(written, start);
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    if (bundle == null) {
      return;
    }
    try {
      // After the group-by-key every element is in the global window at its end.
      bundle.outputFinished(a -> c.output(a, GlobalWindow.INSTANCE.maxTimestamp(),
          GlobalWindow.INSTANCE), 0);
    } finally {
      closeBundle();
    }
  }

  private void closeBundle() {
    if (bundle != null) {
      Bundle b = bundle;
      bundle = null;
      b.close();
    }
  }

  /** This bundle's joined run, opened at its first shard: one lease check per bundle. */
  private Bundle bundle() {
    if (bundle == null) {
      bundle = new Bundle(lifecycle.config().openManifestStore(store));
    }
    return bundle;
  }

  /**
   * The run one bundle joined, its upload thread and the uploads it has started. Used by the
   * task's thread; the upload thread lives as long as the bundle (on Flink and Spark, a
   * task's whole partition).
   */
  private final class Bundle implements AutoCloseable {
    private final ManifestStore manifests;
    private final RunLifecycle.Run run;
    private final Deque<Upload> waiting = new ArrayDeque<>();
    private final ExecutorService uploads;
    private volatile boolean abandoned;

    Bundle(ManifestStore manifests) {
      this.manifests = manifests;
      try {
        this.run = lifecycle.join(store, manifests, loaded);
      } catch (RuntimeException e) {
        manifests.close();
        throw e;
      }
      String task = Thread.currentThread().getName();
      this.uploads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "shardyfusion-upload " + task);
        t.setDaemon(true);
        return t;
      });
    }

    void upload(ShardAttemptWriter.Written written, long startNanos) {
      Map<String, String> mdc = MDC.getCopyOfContextMap();
      Upload u = new Upload(startNanos);
      u.result = CompletableFuture.supplyAsync(() -> {
        if (abandoned) {
          written.close();
          throw new IllegalStateException("the bundle failed before shard " + written.dbId()
              + " was uploaded");
        }
        if (mdc != null) {
          MDC.setContextMap(mdc);
        }
        try (MDC.MDCCloseable r = MDC.putCloseable("run_id", run.runId());
            MDC.MDCCloseable s = MDC.putCloseable("shard_id",
                Integer.toString(written.dbId()))) {
          return written.upload();
        } finally {
          MDC.clear();
        }
      }, uploads);
      waiting.add(u);
    }

    /**
     * Outputs the uploads that ended, in the order they started, waiting for the oldest ones
     * until at most {@code keepWaiting} remain; the first failure fails the bundle.
     */
    void outputFinished(Consumer<ShardAttempt> output, int keepWaiting) {
      while (!waiting.isEmpty()
          && (waiting.size() > keepWaiting || waiting.peek().result.isDone())) {
        Upload u = waiting.poll();
        ShardAttempt attempt;
        try {
          attempt = u.result.join();
          if (hook != null) {
            hook.afterUpload(attempt);
          }
        } catch (CompletionException e) {
          throw fail(e.getCause() instanceof RuntimeException r ? r : e);
        } catch (RuntimeException e) {
          throw fail(e);
        }
        ShardedWriteMetrics.SHARDS_WRITTEN.inc();
        ShardedWriteMetrics.ROWS_WRITTEN.inc(attempt.rowCount());
        ShardedWriteMetrics.BYTES_UPLOADED.inc(attempt.dbBytes());
        ShardedWriteMetrics.BUILD_MS.update(
            (System.nanoTime() - u.startNanos) / 1_000_000);
        output.accept(attempt);
      }
    }

    /** {@link RunLifecycle.Run#fail} for the bundle's failure, after its uploads stop. */
    RuntimeException fail(RuntimeException e) {
      abandonUploads();
      return run.fail(e);
    }

    /** Skips the uploads not begun and waits for the one under way, so none outlives it. */
    private void abandonUploads() {
      abandoned = true;
      for (Upload u : waiting) {
        try {
          u.result.join();
        } catch (RuntimeException ignored) {
          // the bundle already fails; an upload that ended is debris for the publish to delete
        }
      }
      waiting.clear();
    }

    @Override
    public void close() {
      try {
        abandonUploads();
      } finally {
        uploads.shutdown();
        manifests.close();
      }
    }
  }

  /** One shard's upload, and when its build started. */
  private static final class Upload {
    final long startNanos;
    CompletableFuture<ShardAttempt> result;

    Upload(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  /**
   * One pass over {@code runs} into {@code merger}, each distinct run once; the merged records.
   * Closing the cursor closes the merger.
   */
  static RecordCursor merge(Iterable<SortedRun> runs, RunMerger merger) {
    Set<SortedRun.Id> seen = new HashSet<>();
    try {
      for (SortedRun r : runs) {
        if (!seen.add(r.id())) {
          ShardedWriteMetrics.RUNS_REPEATED.inc();
          continue;
        }
        if (r.isFileSegment()) {
          merger.addFileSegment(Paths.get(r.file()), r.offset(), r.length());
        } else {
          merger.addBlock(r.block());
        }
      }
      RecordCursor merged = merger.finish();
      return new RecordCursor() {
        @Override
        public boolean next() {
          return merged.next();
        }

        @Override
        public byte[] key() {
          return merged.key();
        }

        @Override
        public byte[] value() {
          return merged.value();
        }

        @Override
        public void close() {
          try {
            merged.close();
          } finally {
            merger.close();
          }
        }
      };
    } catch (RuntimeException e) {
      merger.close();
      throw e;
    }
  }

  @Teardown
  public void teardown() {
    try {
      closeBundle();
    } finally {
      if (store != null) {
        store.close();
      }
    }
  }
}
