package io.shardyfusion.transforms;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.PreviousSnapshot;
import io.shardyfusion.writer.RunLifecycle;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.publish.ShardAttempt;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Steps 1 to 3 of the {@link RunLifecycle} for one shard: joins the run (its record RUNNING
 * before anything is uploaded), builds the shard from its grouped records and uploads it as a
 * fresh attempt. The group is streamed once into a bounded-memory external sort, never
 * collected: on runners whose group iterables are lazy (Flink, Spark with
 * {@code --preferGroupByKeyToHandleHugeValues}), a shard larger than the heap builds in a
 * fixed heap.
 *
 * <p>A failure follows the lifecycle's rule under {@link RunLifecycle.Retries#BY_RUNNER}: a
 * retryable one is left to the runner's retry of the bundle; a non-retryable one (duplicate
 * keys) ends the run.
 */
final class BuildShardFn extends DoFn<KV<Integer, Iterable<KV<byte[], byte[]>>>, ShardAttempt> {
  private static final long serialVersionUID = 1L;
  static final String WRITER_NAME = ShardedWrite.ENGINE;

  private final RunLifecycle lifecycle;
  private final long sortBufferBytes;
  private final AttemptHook hook;
  private transient ObjectStore store;
  private transient PreviousSnapshot.Reusable loaded;

  BuildShardFn(RunLifecycle lifecycle, long sortBufferBytes, AttemptHook hook) {
    this.lifecycle = lifecycle;
    this.sortBufferBytes = sortBufferBytes;
    this.hook = hook;
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
    int dbId = c.element().getKey();
    Iterable<KV<byte[], byte[]>> records = c.element().getValue();
    long start = System.nanoTime();
    ShardAttempt attempt;
    try (ManifestStore manifests = lifecycle.config().openManifestStore(store)) {
      RunLifecycle.Run run = lifecycle.join(store, manifests, loaded);
      try {
        attempt = run.attempt(dbId,
            sink -> records.forEach(kv -> sink.accept(kv.getKey(), kv.getValue())),
            sortBufferBytes);
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

  @Teardown
  public void teardown() {
    if (store != null) {
      store.close();
    }
  }
}
