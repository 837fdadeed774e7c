package io.shardyfusion.transforms;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.writer.publish.RunIds;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

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
 * losing attempts of retried or speculative tasks. The output holds one {@link BuildResult}.
 *
 * <p>Memory: the shard builder never holds a shard in heap, but whether the runner's group
 * iterable is lazy is the runner's choice. Flink's is; Spark's is with
 * {@code --preferGroupByKeyToHandleHugeValues=true}; the Direct runner materialises groups.
 */
public final class ShardedWrite<T> extends PTransform<PCollection<T>, PCollection<BuildResult>> {
  private static final long serialVersionUID = 1L;

  private final WriteConfig config;
  private final SerializableFunction<T, ?> keyFn;
  private final SerializableFunction<T, byte[]> valueFn;
  private final SerializableFunction<T, Map<String, Object>> routingContextFn;
  private final long sortBufferBytes;
  private final AttemptHook attemptHook;

  private ShardedWrite(WriteConfig config, SerializableFunction<T, ?> keyFn,
      SerializableFunction<T, byte[]> valueFn,
      SerializableFunction<T, Map<String, Object>> routingContextFn, long sortBufferBytes,
      AttemptHook attemptHook) {
    this.config = config;
    this.keyFn = keyFn;
    this.valueFn = valueFn;
    this.routingContextFn = routingContextFn;
    this.sortBufferBytes = sortBufferBytes;
    this.attemptHook = attemptHook;
  }

  /** A write to the snapshot {@code config} describes; set the key and value functions next. */
  public static <T> ShardedWrite<T> to(WriteConfig config) {
    Objects.requireNonNull(config, "config");
    return new ShardedWrite<>(config, null, null, null,
        WriteOptions.DEFAULT_SORT_BUFFER_BYTES, null);
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
    return new ShardedWrite<>(config, requireArg("keyFn", fn), valueFn, routingContextFn,
        sortBufferBytes, attemptHook);
  }

  /** The stored value of each element. */
  public ShardedWrite<T> withValueFn(SerializableFunction<T, byte[]> fn) {
    return new ShardedWrite<>(config, keyFn, requireArg("valueFn", fn), routingContextFn,
        sortBufferBytes, attemptHook);
  }

  /** The columns a multi-column CEL expression reads, for each element. */
  public ShardedWrite<T> withRoutingContextFn(SerializableFunction<T, Map<String, Object>> fn) {
    return new ShardedWrite<>(config, keyFn, valueFn, requireArg("routingContextFn", fn),
        sortBufferBytes, attemptHook);
  }

  /**
   * Heap for one shard's sort buffer on a worker (default 64 MiB); a shard larger than this
   * spills to the worker's temp directory ({@link WriteConfig#tempDir()}).
   */
  public ShardedWrite<T> withSortBufferBytes(long bytes) {
    return new ShardedWrite<>(config, keyFn, valueFn, routingContextFn,
        WriteOptions.checkSortBufferBytes(bytes), attemptHook);
  }

  /**
   * Fault injection for tests of retries and speculative execution: the hook runs after each
   * shard attempt is uploaded and before it is reported; see {@link AttemptHook}.
   */
  public ShardedWrite<T> withAttemptHook(AttemptHook hook) {
    return new ShardedWrite<>(config, keyFn, valueFn, routingContextFn, sortBufferBytes, hook);
  }

  public WriteConfig config() {
    return config;
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
    if (config.sharding().needsRoutingContext() && routingContextFn == null) {
      throw new ConfigValidationException("the CEL expression reads columns "
          + config.sharding().celColumns().keySet() + "; call withRoutingContextFn(...)");
    }
  }

  @Override
  public PCollection<BuildResult> expand(PCollection<T> input) {
    // Fixed when the pipeline is built, so every worker and a retried publish agree on them.
    Instant createdAt = Instant.now();
    String runId = config.runId() != null ? config.runId() : RunIds.newRunId(createdAt);

    PCollectionView<Integer> numDbsView = config.maxKeysPerShard() == null ? null
        : input.apply("CountRows", Count.globally())
            .apply("NumDbsFromRowCount", MapElements.into(TypeDescriptors.integers())
                .via(new NumDbsFromCount(config.maxKeysPerShard())))
            .apply("NumDbsView", View.asSingleton());

    ParDo.SingleOutput<T, KV<Integer, KV<byte[], byte[]>>> assign = ParDo.of(
        new AssignShardFn<>(config, keyFn, valueFn, routingContextFn, numDbsView));
    PCollection<KV<Integer, KV<byte[], byte[]>>> routed = input.apply("AssignShard",
        numDbsView == null ? assign : assign.withSideInputs(numDbsView))
        .setCoder(KvCoder.of(VarIntCoder.of(), KvCoder.of(ByteArrayCoder.of(),
            ByteArrayCoder.of())));

    PCollection<ShardAttempt> attempts = routed
        .apply("GroupByShard", GroupByKey.create())
        .apply("BuildAndUploadShard", ParDo.of(new BuildShardFn(config, runId, sortBufferBytes,
            attemptHook)))
        .setCoder(SerializableCoder.of(ShardAttempt.class));
    PCollectionView<List<ShardAttempt>> attemptsView =
        attempts.apply("AttemptsView", View.asList());

    ParDo.SingleOutput<String, BuildResult> publish = ParDo.of(
        new PublishFn(config, createdAt, attemptsView, numDbsView));
    return input.getPipeline()
        .apply("RunId", Create.of(runId).withCoder(StringUtf8Coder.of()))
        .apply("Publish", numDbsView == null ? publish.withSideInputs(attemptsView)
            : publish.withSideInputs(attemptsView, numDbsView))
        .setCoder(SerializableCoder.of(BuildResult.class));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("s3Prefix", config.s3Prefix()).withLabel("Snapshot prefix"))
        .addIfNotNull(DisplayData.item("numDbs", config.numDbs() == null ? null
            : config.numDbs().longValue()).withLabel("Shards"))
        .addIfNotNull(DisplayData.item("maxKeysPerShard", config.maxKeysPerShard())
            .withLabel("Max keys per shard"))
        .add(DisplayData.item("sharding", config.sharding().toString()).withLabel("Sharding"))
        .add(DisplayData.item("keyEncoding", config.keyEncoding().wireName())
            .withLabel("Key encoding"))
        .add(DisplayData.item("sortBufferBytes", sortBufferBytes).withLabel("Sort buffer"));
  }

  /** numDbs when it does not depend on the data: explicit, from boundaries, or -1 (CEL). */
  static int fixedNumDbs(WriteConfig config) {
    if (config.numDbs() != null) {
      return config.numDbs();
    }
    int implied = config.sharding().impliedNumDbs();
    return implied > 0 ? implied : -1;
  }

  private static <X> X requireArg(String name, X value) {
    if (value == null) {
      throw new ConfigValidationException(name + " must not be null");
    }
    return value;
  }

  /** ceil(rows / maxKeysPerShard), at least 1. */
  private static final class NumDbsFromCount
      implements SerializableFunction<Long, Integer> {
    private static final long serialVersionUID = 1L;
    private final long maxKeysPerShard;

    NumDbsFromCount(long maxKeysPerShard) {
      this.maxKeysPerShard = maxKeysPerShard;
    }

    @Override
    public Integer apply(Long rows) {
      long n = Math.max(1, (rows + maxKeysPerShard - 1) / maxKeysPerShard);
      if (n > WriteConfig.MAX_NUM_DBS) {
        throw new ConfigValidationException(rows + " rows at maxKeysPerShard="
            + maxKeysPerShard + " need " + n + " shards, more than " + WriteConfig.MAX_NUM_DBS
            + "; raise maxKeysPerShard");
      }
      return (int) n;
    }
  }
}
