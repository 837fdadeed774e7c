package io.shardyfusion.transforms;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.RunLifecycle;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import io.shardyfusion.writer.publish.ShardAttempt;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Builds a sharded snapshot from a {@link PCollection} and publishes it: the Beam counterpart
 * of the Python system's {@code writer.spark.write_sharded}. Runs on any runner.
 *
 * <pre>{@code
 * PCollection<User> users = ...;
 * PCollection<BuildResult> result = users.apply(ShardedWrite.<User>to(
 *         WriteConfig.builder().numDbs(64).s3Prefix("s3://bucket/snapshots/users").build())
 *     .withKeyFn(User::id)
 *     .withValueFn(User::toBytes));
 * }</pre>
 *
 * <p>Shape: route each element to its shard and encode its key (the same code as the
 * in-process writer and the reader) → {@link GroupByKey} by shard id → stream each group into
 * the bounded-memory shard builder and upload it to its own attempt directory → one singleton
 * step chooses a winner per shard, writes the manifest, then {@code _CURRENT}, and deletes the
 * losing attempts of retried or speculative tasks. The output holds one {@link BuildResult}
 * (coded by {@link BuildResultCoder}). The steps are those of {@link RunLifecycle} under
 * {@link RunLifecycle.Retries#BY_RUNNER}; the run id and creation time are fixed when the
 * transform is made ({@link #to}), so every worker and a retried publish agree on them.
 *
 * <p>Immutable: every {@code with*} returns a copy, and rejects a bad argument naming it.
 *
 * <p>Memory: the shard builder never holds a shard in heap, but whether the runner's group
 * iterable is lazy is the runner's choice. Flink's is; Spark's is with
 * {@code --preferGroupByKeyToHandleHugeValues=true}; the Direct runner materialises groups.
 */
public final class ShardedWrite<T> extends PTransform<PCollection<T>, PCollection<BuildResult>> {
  private static final long serialVersionUID = 1L;
  /** The engine name in run records and the manifest's writer info. */
  static final String ENGINE = "beam";

  private final RunLifecycle lifecycle;
  private final SerializableFunction<T, ?> keyFn;
  private final SerializableFunction<T, byte[]> valueFn;
  private final SerializableFunction<T, Map<String, Object>> routingContextFn;
  private final long sortBufferBytes;
  private final AttemptHook attemptHook;

  private ShardedWrite(Builder<T> b) {
    this.lifecycle = b.lifecycle;
    this.keyFn = b.keyFn;
    this.valueFn = b.valueFn;
    this.routingContextFn = b.routingContextFn;
    this.sortBufferBytes = b.sortBufferBytes;
    this.attemptHook = b.attemptHook;
  }

  /**
   * A write to the snapshot {@code config} describes; set the key and value functions next.
   * The run's id ({@link WriteConfig#runId()} or a fresh one) and creation time are fixed here.
   */
  public static <T> ShardedWrite<T> to(WriteConfig config) {
    if (config == null) {
      throw new ConfigValidationException("ShardedWrite.to needs a WriteConfig, got null");
    }
    Builder<T> b = new Builder<>();
    b.lifecycle = RunLifecycle.create(config, ENGINE, RunLifecycle.Retries.BY_RUNNER);
    b.sortBufferBytes = WriteOptions.DEFAULT_SORT_BUFFER_BYTES;
    return b.build();
  }

  /**
   * A write of raw key/value pairs; {@code config} must use {@link KeyEncoding#RAW} (or
   * {@link KeyEncoding#UTF8}, when the key bytes are UTF-8 text, which are then decoded).
   */
  public static ShardedWrite<KV<byte[], byte[]>> ofKvs(WriteConfig config) {
    if (config.keyEncoding() == KeyEncoding.RAW) {
      return ShardedWrite.<KV<byte[], byte[]>>to(config).withKeyFn(KV::getKey)
          .withValueFn(KV::getValue);
    }
    if (config.keyEncoding() == KeyEncoding.UTF8) {
      return ShardedWrite.<KV<byte[], byte[]>>to(config)
          .withKeyFn(kv -> new String(kv.getKey(), java.nio.charset.StandardCharsets.UTF_8))
          .withValueFn(KV::getValue);
    }
    throw new ConfigValidationException("ofKvs needs keyEncoding raw or utf8, got "
        + config.keyEncoding().wireName() + "; use to(config).withKeyFn(...) for other keys");
  }

  /**
   * A one-shard snapshot of a small reference table: {@code config}'s sharding is replaced by
   * HASH over one shard.
   */
  public static <T> ShardedWrite<T> singleShard(WriteConfig config) {
    return to(config.toBuilder().numDbs(1).sharding(ShardingSpec.hash()).build());
  }

  /** The key of each element: a Long/Integer, String or byte[] matching the key encoding. */
  public ShardedWrite<T> withKeyFn(SerializableFunction<T, ?> fn) {
    Builder<T> b = toBuilder();
    b.keyFn = requireFn("withKeyFn", fn);
    return b.build();
  }

  /** The stored value of each element. */
  public ShardedWrite<T> withValueFn(SerializableFunction<T, byte[]> fn) {
    Builder<T> b = toBuilder();
    b.valueFn = requireFn("withValueFn", fn);
    return b.build();
  }

  /** The columns a multi-column CEL expression reads, for each element. */
  public ShardedWrite<T> withRoutingContextFn(SerializableFunction<T, Map<String, Object>> fn) {
    Builder<T> b = toBuilder();
    b.routingContextFn = requireFn("withRoutingContextFn", fn);
    return b.build();
  }

  /**
   * Infer the categorical routing values from the data (the Python system's
   * {@code infer_routing_values_from_data}, {@link WriteConfig.Builder#inferRoutingValues}):
   * a first pass evaluates the CEL expression on every element, the distinct tokens (at most
   * {@link io.shardyfusion.routing.RoutingValueInference#MAX_VALUES}) become a side input, and
   * each sorted as Python sorts them is one shard. The config's CEL spec must yield tokens and
   * list no routing values.
   */
  public ShardedWrite<T> withInferredRoutingValues() {
    Builder<T> b = toBuilder();
    b.lifecycle = lifecycle.withConfig(lifecycle.config().toBuilder().inferRoutingValues(true)
        .build());
    return b.build();
  }

  /**
   * Heap for one shard's sort buffer on a worker (default 64 MiB); a shard larger than this
   * spills to the worker's temp directory ({@link WriteConfig#tempDir()}).
   */
  public ShardedWrite<T> withSortBufferBytes(long bytes) {
    Builder<T> b = toBuilder();
    b.sortBufferBytes = WriteOptions.checkSortBufferBytes(bytes);
    return b.build();
  }

  /**
   * Test seam, not API: fault injection for tests of retries and speculative execution; the
   * hook runs after each shard attempt is uploaded and before it is reported.
   */
  ShardedWrite<T> withAttemptHook(AttemptHook hook) {
    Builder<T> b = toBuilder();
    b.attemptHook = requireFn("withAttemptHook", hook);
    return b.build();
  }

  public WriteConfig config() {
    return lifecycle.config();
  }

  /** The run this transform publishes (fixed when it was made). */
  public String runId() {
    return lifecycle.runId();
  }

  private Builder<T> toBuilder() {
    Builder<T> b = new Builder<>();
    b.lifecycle = lifecycle;
    b.keyFn = keyFn;
    b.valueFn = valueFn;
    b.routingContextFn = routingContextFn;
    b.sortBufferBytes = sortBufferBytes;
    b.attemptHook = attemptHook;
    return b;
  }

  /** The mutable copy each {@code with*} edits; its fields are checked by the setter. */
  private static final class Builder<T> {
    private RunLifecycle lifecycle;
    private SerializableFunction<T, ?> keyFn;
    private SerializableFunction<T, byte[]> valueFn;
    private SerializableFunction<T, Map<String, Object>> routingContextFn;
    private long sortBufferBytes;
    private AttemptHook attemptHook;

    ShardedWrite<T> build() {
      return new ShardedWrite<>(this);
    }
  }

  @Override
  public void validate(org.apache.beam.sdk.options.PipelineOptions options) {
    if (keyFn == null) {
      throw new ConfigValidationException("ShardedWrite needs a key function: call "
          + "withKeyFn(element -> key)");
    }
    if (valueFn == null) {
      throw new ConfigValidationException("ShardedWrite needs a value function: call "
          + "withValueFn(element -> bytes)");
    }
    if (config().sharding().needsRoutingContext() && routingContextFn == null) {
      throw new ConfigValidationException("the CEL expression reads columns "
          + config().sharding().celColumns().keySet() + "; call withRoutingContextFn(...)");
    }
  }

  @Override
  public PCollection<BuildResult> expand(PCollection<T> input) {
    WriteConfig config = config();
    PCollectionView<Long> rowCountView = !config.shardCount().needsRowCount() ? null
        : input.apply("CountRows", Count.globally()).setCoder(VarLongCoder.of())
            .apply("RowCountView", View.asSingleton());

    // A first pass when the routing values are inferred from the data: the distinct tokens.
    PCollectionView<List<String>> routingValuesView = !config.inferRoutingValues() ? null
        : InferRoutingValues.view(input, config, keyFn, routingContextFn);
    List<PCollectionView<?>> assignSides = new java.util.ArrayList<>();
    if (rowCountView != null) {
      assignSides.add(rowCountView);
    }
    if (routingValuesView != null) {
      assignSides.add(routingValuesView);
    }
    ParDo.SingleOutput<T, KV<Integer, KV<byte[], byte[]>>> assign = ParDo.of(
        new AssignShardFn<>(config, keyFn, valueFn, routingContextFn, rowCountView,
            routingValuesView));
    PCollection<KV<Integer, KV<byte[], byte[]>>> routed = input.apply("AssignShard",
        assign.withSideInputs(assignSides))
        .setCoder(KvCoder.of(VarIntCoder.of(), KvCoder.of(ByteArrayCoder.of(),
            ByteArrayCoder.of())));

    PCollection<ShardAttempt> attempts = routed
        .apply("GroupByShard", GroupByKey.create())
        .apply("BuildAndUploadShard", ParDo.of(new BuildShardFn(lifecycle, sortBufferBytes,
            attemptHook)))
        .setCoder(ShardAttemptCoder.of());
    PCollectionView<List<ShardAttempt>> attemptsView =
        attempts.apply("AttemptsView", View.asList());

    ParDo.SingleOutput<String, BuildResult> publish = ParDo.of(
        new PublishFn(lifecycle, attemptsView, rowCountView, routingValuesView));
    List<PCollectionView<?>> publishSides = new java.util.ArrayList<>(assignSides);
    publishSides.add(attemptsView);
    return input.getPipeline()
        .apply("RunId", Create.of(lifecycle.runId()).withCoder(StringUtf8Coder.of()))
        .apply("Publish", publish.withSideInputs(publishSides))
        .setCoder(BuildResultCoder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    WriteConfig config = config();
    ShardCount count = config.shardCount();
    builder.add(DisplayData.item("s3Prefix", config.s3Prefix()).withLabel("Snapshot prefix"))
        .add(DisplayData.item("manifestStore", String.valueOf(config.manifestStoreFactory()))
            .withLabel("Manifest store"))
        .add(DisplayData.item("runId", lifecycle.runId()).withLabel("Run id"))
        .add(DisplayData.item("shardCount", count.toString()).withLabel("Shard count"))
        .addIfNotNull(DisplayData.item("numDbs", count.known().isPresent()
            ? (Long) (long) count.known().getAsInt() : null).withLabel("Shards"))
        .addIfNotNull(DisplayData.item("maxKeysPerShard",
            count instanceof ShardCount.PerMaxKeys m ? m.maxKeysPerShard() : null)
            .withLabel("Max keys per shard"))
        .add(DisplayData.item("sharding", config.sharding().toString()).withLabel("Sharding"))
        .add(DisplayData.item("inferRoutingValues", config.inferRoutingValues())
            .withLabel("Infer routing values"))
        .add(DisplayData.item("keyEncoding", config.keyEncoding().wireName())
            .withLabel("Key encoding"))
        .add(DisplayData.item("sortBufferBytes", sortBufferBytes).withLabel("Sort buffer"));
  }

  /** {@code count} resolved with the row-count side input when it needs one. */
  static ShardCount resolve(ShardCount count, DoFn<?, ?>.ProcessContext c,
      PCollectionView<Long> rowCountView) {
    return count.needsRowCount() ? count.resolve(() -> c.sideInput(rowCountView)) : count;
  }

  private static <X> X requireFn(String method, X value) {
    if (value == null) {
      throw new ConfigValidationException(method + " needs a function, got null");
    }
    return value;
  }
}
