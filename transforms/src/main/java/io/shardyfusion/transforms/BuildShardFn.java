package io.shardyfusion.transforms;

import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.writer.PreviousSnapshot;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.ShardAttemptWriter;
import io.shardyfusion.writer.WriteConfig;
import java.time.Clock;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Builds one shard from its grouped records and uploads it as a fresh attempt. The group is
 * streamed once into a bounded-memory external sort, never collected: on runners whose
 * group iterables are lazy (Flink, Spark with {@code --preferGroupByKeyToHandleHugeValues}), a
 * shard larger than the heap builds in a fixed heap.
 *
 * <p>Before uploading, it writes or renews the run record (RUNNING); a deterministic failure
 * marks the run FAILED.
 */
final class BuildShardFn extends DoFn<KV<Integer, Iterable<KV<byte[], byte[]>>>, ShardAttempt> {
  private static final long serialVersionUID = 1L;
  static final String WRITER_NAME = "beam";

  private final WriteConfig config;
  private final String runId;
  private final long sortBufferBytes;
  private final AttemptHook hook;
  private transient ObjectStore store;
  private transient PreviousSnapshot.Reusable reusable;
  private transient RunRecords runs;

  BuildShardFn(WriteConfig config, String runId, long sortBufferBytes, AttemptHook hook) {
    this.config = config;
    this.runId = runId;
    this.sortBufferBytes = sortBufferBytes;
    this.hook = hook;
  }

  @Setup
  public void setup() {
    store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
    try (ManifestStore manifests = config.openManifestStore(store)) {
      reusable = PreviousSnapshot.load(manifests, config);
      runs = new RunRecords(store, Clock.systemUTC(), manifests.location());
    }
  }

  @ProcessElement
  public void process(ProcessContext c) {
    int dbId = c.element().getKey();
    Iterable<KV<byte[], byte[]>> records = c.element().getValue();
    long start = System.nanoTime();
    // Every worker makes sure the run record is RUNNING before it uploads: cleanup must see
    // the run as live before any of its objects exist. Idempotent, one GET when fresh.
    RunRecord record = runs.ensureRunning(runId, config.runLease(), WRITER_NAME,
        reusable.manifestRef());
    // Workers may have seen different current manifests; only the one the record names is
    // protected from cleanup, so reuse only its shards.
    Map<Integer, ShardMeta> previous = reusable.onlyIfBasedOn(record.basedOn()).shards();
    ShardAttempt attempt;
    try {
      attempt = ShardAttemptWriter.write(store, config, runId, dbId,
          sink -> records.forEach(kv -> sink.accept(kv.getKey(), kv.getValue())),
          sortBufferBytes, WRITER_NAME, previous.get(dbId));
    } catch (ShardyfusionException e) {
      if (!e.retryable()) {
        // Deterministic (duplicate keys, bad config): no retry can publish this run.
        markFailed(runs, runId, e);
      }
      throw e;
    }
    if (attempt == null) {
      return;
    }
    if (hook != null) {
      hook.afterUpload(attempt);
    }
    ShardedWriteMetrics.SHARDS_WRITTEN.inc();
    ShardedWriteMetrics.ROWS_WRITTEN.inc(attempt.rowCount());
    ShardedWriteMetrics.BYTES_UPLOADED.inc(attempt.dbBytes());
    ShardedWriteMetrics.BUILD_MS.update((System.nanoTime() - start) / 1_000_000);
    c.output(attempt);
  }

  /** Best effort; never replaces the failure being reported. */
  static void markFailed(RunRecords runs, String runId, Exception cause) {
    try {
      runs.finish(runId, RunStatus.FAILED);
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  @Teardown
  public void teardown() {
    if (store != null) {
      store.close();
    }
  }
}
