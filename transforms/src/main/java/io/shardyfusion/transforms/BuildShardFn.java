package io.shardyfusion.transforms;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.PreviousSnapshot;
import io.shardyfusion.writer.RunLifecycle;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.sort.RecordCursor;
import io.shardyfusion.writer.sort.RunMerger;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Steps 1 to 3 of the {@link RunLifecycle} for one shard: joins the run (its record RUNNING
 * before anything is uploaded), merges the shard's sorted runs (from {@link SortRunsFn}) and
 * builds the shard from them, then uploads it as a fresh attempt. The group is read once and
 * never collected: runs are held up to the sort-buffer size, then merged to a local spill file
 * ({@link RunMerger}), so on runners whose group iterables are lazy (Flink, Spark with
 * {@code --preferGroupByKeyToHandleHugeValues}) and with run files (the Direct runner) a shard
 * larger than the heap builds in a fixed heap.
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

  private final RunLifecycle lifecycle;
  private final long mergeBufferBytes;
  private final AttemptHook hook;
  private final ShardWriteLimit limit;
  private final PCollectionView<Long> shardTasksView; // null when nothing is rate limited
  private transient ObjectStore store;
  private transient PreviousSnapshot.Reusable loaded;

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

  @ProcessElement
  public void process(ProcessContext c) {
    int dbId = ShardSpread.shardOf(c.element().getKey());
    Iterable<SortedRun> runs = c.element().getValue();
    long shardTasks = shardTasksView == null ? 1 : c.sideInput(shardTasksView);
    long start = System.nanoTime();
    ShardAttempt attempt;
    try (ManifestStore manifests = lifecycle.config().openManifestStore(store)) {
      RunLifecycle.Run run = lifecycle.join(store, manifests, loaded);
      try {
        attempt = run.attemptSorted(dbId, dir -> limit.limit(
            merge(runs, new RunMerger(dir, mergeBufferBytes)), shardTasks));
        if (attempt != null && hook != null) {
          hook.afterUpload(attempt);
        }
      } catch (RuntimeException e) {
        throw run.fail(e);
      }
    }
    if (attempt == null) {
      return;
    }
    ShardedWriteMetrics.SHARDS_WRITTEN.inc();
    ShardedWriteMetrics.ROWS_WRITTEN.inc(attempt.rowCount());
    ShardedWriteMetrics.BYTES_UPLOADED.inc(attempt.dbBytes());
    ShardedWriteMetrics.BUILD_MS.update((System.nanoTime() - start) / 1_000_000);
    c.output(attempt);
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
    if (store != null) {
      store.close();
    }
  }
}
