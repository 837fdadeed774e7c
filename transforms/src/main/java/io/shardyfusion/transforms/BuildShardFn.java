package io.shardyfusion.transforms;

import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.publish.PreviousSnapshot;
import io.shardyfusion.publish.ShardAttempt;
import java.util.Map;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.ShardAttemptWriter;
import io.shardyfusion.writer.WriteConfig;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Builds one shard from its grouped records and uploads it as a fresh attempt. The group is
 * streamed once into a bounded-memory external sort, never collected: on runners whose
 * group iterables are lazy (Flink, Spark with {@code --preferGroupByKeyToHandleHugeValues}), a
 * shard larger than the heap builds in a fixed heap.
 */
final class BuildShardFn extends DoFn<KV<Integer, Iterable<KV<byte[], byte[]>>>, ShardAttempt> {
  private static final long serialVersionUID = 1L;
  static final String WRITER_NAME = "beam";

  private final WriteConfig config;
  private final String runId;
  private final long sortBufferBytes;
  private final AttemptHook hook;
  private transient ObjectStore store;
  private transient Map<Integer, ShardMeta> previous;

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
      previous = PreviousSnapshot.reusableShards(manifests, config);
    }
  }

  @ProcessElement
  public void process(ProcessContext c) {
    int dbId = c.element().getKey();
    Iterable<KV<byte[], byte[]>> records = c.element().getValue();
    long start = System.nanoTime();
    ShardAttempt attempt = ShardAttemptWriter.write(store, config, runId, dbId,
        sink -> records.forEach(kv -> sink.accept(kv.getKey(), kv.getValue())),
        sortBufferBytes, WRITER_NAME, previous.get(dbId));
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

  @Teardown
  public void teardown() {
    if (store != null) {
      store.close();
    }
  }
}
