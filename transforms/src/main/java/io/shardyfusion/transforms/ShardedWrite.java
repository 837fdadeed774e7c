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
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
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
 * <p>Shape: each bundle routes its elements to their shards and encodes their keys (the same
 * code as the in-process writer and the reader) into one bounded sort buffer, and emits each
 * shard's records as a few sorted runs (byte blocks of at most 8 MiB) → {@link GroupByKey} by
 * shard id → each shard task merges its runs (holding at most one sort buffer of them, spilling
 * the rest to its temp directory), builds the shard and uploads it to its own attempt
 * directory → one singleton step chooses a winner per shard, writes the manifest, then
 * {@code _CURRENT}, and deletes the losing attempts of retried or speculative tasks. The output
 * holds one {@link BuildResult} (coded by {@link BuildResultCoder}). The steps are those of
 * {@link RunLifecycle} under {@link RunLifecycle.Retries#BY_RUNNER}; the run id and creation
 * time are fixed when the transform is made ({@link #to}), so every worker and a retried
 * publish agree on them. A snapshot covers the whole input: a windowed input is re-windowed
 * into the global window.
 *
 * <p>Retries and speculative attempts: a bundle attempt's runs carry a random id of their own,
 * and Beam discards the outputs of a failed bundle attempt, so a retried bundle contributes its
 * records once; a run delivered twice is used once; a key in two different runs is a true
 * duplicate and fails the build ({@link io.shardyfusion.errors.DuplicateKeyException}).
 *
 * <p>Run files: where every worker runs in the launching process (the Direct runner, Flink with
 * {@code --flinkMaster=[local]}, Spark with a {@code local[N]} master), full sort buffers are
 * written to files under the write's {@link WriteConfig#tempDir()} and only references travel
 * through the shuffle: the Direct runner keeps every element of a PCollection in heap, and
 * embedded Flink and Spark would copy every run through their shuffle and spill it to the same
 * disk. {@link #withSharedRunDirectory} does the same on a cluster whose workers share a file
 * system; {@link #withRunsThroughShuffle} turns it off. The files are deleted after publish.
 *
 * <p>Immutable: every {@code with*} returns a copy, and rejects a bad argument naming it.
 *
 * <p>Memory per worker: one sort buffer ({@link #withSortBufferBytes}) per routing task and at
 * most one sort buffer of held runs plus 64 read buffers of 256 KiB per shard task, whatever the
 * shard's size, as long as the runner's group iterable is lazy: Flink's is; Spark's is with
 * {@code --preferGroupByKeyToHandleHugeValues=true}; on the Direct runner the groups hold only
 * run-file references.
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
  private final long maxWritesPerSecond;
  private final long maxWriteBytesPerSecond;
  private final String sharedRunDirectory;
  private final ShardWriteLimit.Buckets limitBuckets;
  private final boolean runsThroughShuffle;

  private ShardedWrite(Builder<T> b) {
    this.lifecycle = b.lifecycle;
    this.keyFn = b.keyFn;
    this.valueFn = b.valueFn;
    this.routingContextFn = b.routingContextFn;
    this.sortBufferBytes = b.sortBufferBytes;
    this.attemptHook = b.attemptHook;
    this.maxWritesPerSecond = b.maxWritesPerSecond;
    this.maxWriteBytesPerSecond = b.maxWriteBytesPerSecond;
    this.sharedRunDirectory = b.sharedRunDirectory;
    this.limitBuckets = b.limitBuckets;
    this.runsThroughShuffle = b.runsThroughShuffle;
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
   * Heap of one sort buffer on a worker (default 64 MiB): each routing task sorts its records
   * in one before they are sent as runs, and each shard task holds at most this much of its
   * runs, merging the rest to the worker's temp directory ({@link WriteConfig#tempDir()}).
   */
  public ShardedWrite<T> withSortBufferBytes(long bytes) {
    Builder<T> b = toBuilder();
    b.sortBufferBytes = WriteOptions.checkSortBufferBytes(bytes);
    return b.build();
  }

  /**
   * Limits the rows written into shards per second, across the whole job; 0 (the default) is
   * unlimited. Each shard task (one per non-empty shard) takes an equal part, {@code
   * rowsPerSecond / shardTasks}, and paces the records it feeds to the shard builder, so the job
   * stays within the limit even when every shard task runs at once; a runner that runs only
   * {@code p} shard tasks at a time writes at most {@code p / shardTasks} of it. Routing and the
   * shuffle are not limited.
   *
   * <pre>{@code
   * ShardedWrite.<User>to(config).withKeyFn(User::id).withValueFn(User::toBytes)
   *     .withMaxWritesPerSecond(1_000);   // 8 shards: 125 rows/s each
   * }</pre>
   */
  public ShardedWrite<T> withMaxWritesPerSecond(long rowsPerSecond) {
    Builder<T> b = toBuilder();
    b.maxWritesPerSecond = checkRate("withMaxWritesPerSecond", rowsPerSecond);
    return b.build();
  }

  /**
   * Limits the key plus value bytes written into shards per second, across the whole job; 0 (the
   * default) is unlimited. Divided over the shard tasks as {@link #withMaxWritesPerSecond} is.
   */
  public ShardedWrite<T> withMaxWriteBytesPerSecond(long bytesPerSecond) {
    Builder<T> b = toBuilder();
    b.maxWriteBytesPerSecond = checkRate("withMaxWriteBytesPerSecond", bytesPerSecond);
    return b.build();
  }

  /**
   * Sends the sorted runs through files in {@code directory} rather than through the runner's
   * shuffle: only references to them travel. {@code directory} must be one file system that
   * every worker reads and writes at the same path (a shared mount); the Direct runner uses
   * this by default with the write's temp directory. The run's files go to a subdirectory
   * named after the run and are deleted after publish (a failed job leaves them; delete
   * {@code shardy-runs-<runId>} by hand).
   */
  public ShardedWrite<T> withSharedRunDirectory(String directory) {
    if (directory == null || directory.isBlank()) {
      throw new ConfigValidationException("withSharedRunDirectory needs a directory every "
          + "worker shares, got " + (directory == null ? "null" : "'" + directory + "'"));
    }
    Builder<T> b = toBuilder();
    b.sharedRunDirectory = directory;
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

  /** Test seam, not API: the rate limits' token buckets (a fake clock: no test sleeps). */
  ShardedWrite<T> withLimitBuckets(ShardWriteLimit.Buckets buckets) {
    Builder<T> b = toBuilder();
    b.limitBuckets = requireFn("withLimitBuckets", buckets);
    return b.build();
  }

  /**
   * Sends the sorted runs through the runner's shuffle as byte blocks even where every worker
   * runs in this process (Direct, Flink {@code [local]}, Spark {@code local[N]}), which by
   * default pass them as files under the temp directory: for a temp disk too small to hold the
   * input once more, or to exercise the cluster path locally. Overrides {@link
   * #withSharedRunDirectory}.
   */
  public ShardedWrite<T> withRunsThroughShuffle() {
    Builder<T> b = toBuilder();
    b.runsThroughShuffle = true;
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
    b.maxWritesPerSecond = maxWritesPerSecond;
    b.maxWriteBytesPerSecond = maxWriteBytesPerSecond;
    b.sharedRunDirectory = sharedRunDirectory;
    b.limitBuckets = limitBuckets;
    b.runsThroughShuffle = runsThroughShuffle;
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
    private long maxWritesPerSecond;
    private long maxWriteBytesPerSecond;
    private String sharedRunDirectory;
    private ShardWriteLimit.Buckets limitBuckets = ShardWriteLimit.REAL;
    private boolean runsThroughShuffle;

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

  /**
   * This write applied to a PCollection of sources (files, byte ranges of files) that {@code
   * reader} reads inside the write's own routing step, instead of to a PCollection of the
   * elements: for inputs much larger than the heap on the Direct runner, which keeps a step's
   * whole output in heap until the next step takes it (see {@link SourceReader}). The snapshot
   * job reads its JSON Lines and CSV inputs this way. Every other setting is this write's.
   *
   * <pre>{@code
   * ranges.apply(ShardedWrite.<Record>to(config).withKeyFn(...).withValueFn(...)
   *     .readingEach((range, out) -> readRange(range, out)));
   * }</pre>
   */
  public <S> FromSources<S, T> readingEach(SourceReader<S, T> reader) {
    if (reader == null) {
      throw new ConfigValidationException("readingEach needs a SourceReader, got null");
    }
    return new FromSources<>(this, reader);
  }

  /**
   * A {@link ShardedWrite} over sources, made by {@link ShardedWrite#readingEach}: same
   * lifecycle, routing, run id and output.
   */
  public static final class FromSources<S, T>
      extends PTransform<PCollection<S>, PCollection<BuildResult>> {
    private static final long serialVersionUID = 1L;
    private final ShardedWrite<T> write;
    private final SourceReader<S, T> reader;

    private FromSources(ShardedWrite<T> write, SourceReader<S, T> reader) {
      this.write = write;
      this.reader = reader;
    }

    /** The run this transform publishes. */
    public String runId() {
      return write.runId();
    }

    @Override
    public void validate(PipelineOptions options) {
      write.validate(options);
    }

    @Override
    public PCollection<BuildResult> expand(PCollection<S> sources) {
      return write.expandFrom(sources, reader);
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      write.populateDisplayData(builder);
      builder.add(DisplayData.item("sourceReader", reader.getClass().getName())
          .withLabel("Reads each source with"));
    }
  }

  @Override
  public PCollection<BuildResult> expand(PCollection<T> input) {
    return expandFrom(input, SourceReader.itself());
  }

  private <S> PCollection<BuildResult> expandFrom(PCollection<S> input,
      SourceReader<S, T> reader) {
    WriteConfig config = config();
    PCollection<S> global = input.getWindowingStrategy().getWindowFn() instanceof GlobalWindows
        ? input : input.apply("GlobalWindow", Window.into(new GlobalWindows()));
    PCollectionView<Long> rowCountView = !config.shardCount().needsRowCount() ? null
        : global.apply("CountRows", ParDo.of(new CountRecordsFn<>(reader)))
            .setCoder(VarLongCoder.of())
            .apply("SumRows", Sum.longsGlobally()).setCoder(VarLongCoder.of())
            .apply("RowCountView", View.asSingleton());
    String runFilesDir = runFilesDirectory(input.getPipeline().getOptions());

    // A first pass when the routing values are inferred from the data: the distinct tokens.
    PCollectionView<List<String>> routingValuesView = !config.inferRoutingValues() ? null
        : InferRoutingValues.view(global, config, reader, keyFn, routingContextFn);
    List<PCollectionView<?>> routeSides = new java.util.ArrayList<>();
    if (rowCountView != null) {
      routeSides.add(rowCountView);
    }
    if (routingValuesView != null) {
      routeSides.add(routingValuesView);
    }
    ShardSpread spread = ShardSpread.forOptions(input.getPipeline().getOptions());
    ParDo.SingleOutput<S, KV<Integer, SortedRun>> sortRuns = ParDo.of(new SortRunsFn<>(
        config, reader, keyFn, valueFn, routingContextFn, rowCountView, routingValuesView,
        sortBufferBytes, runFilesDir, spread));
    PCollection<KV<Integer, SortedRun>> runs = global.apply("SortRuns",
        sortRuns.withSideInputs(routeSides))
        .setCoder(KvCoder.of(VarIntCoder.of(), SortedRunCoder.of()));

    ShardWriteLimit limit = new ShardWriteLimit(maxWritesPerSecond, maxWriteBytesPerSecond,
        limitBuckets);
    // The rate limits are divided over the shard tasks: one per shard that has runs.
    PCollectionView<Long> shardTasksView = !limit.isLimited() ? null
        : runs.apply("ShardIds", Keys.create()).apply("DistinctShards", Distinct.create())
            .apply("CountShardTasks", Count.globally()).setCoder(VarLongCoder.of())
            .apply("ShardTasksView", View.asSingleton());
    ParDo.SingleOutput<KV<Integer, Iterable<SortedRun>>, ShardAttempt> build = ParDo.of(
        new BuildShardFn(lifecycle, sortBufferBytes, attemptHook, limit, shardTasksView));
    PCollection<ShardAttempt> attempts = runs
        .apply("GroupByShard", GroupByKey.create())
        .apply("BuildAndUploadShard",
            shardTasksView == null ? build : build.withSideInputs(shardTasksView))
        .setCoder(ShardAttemptCoder.of());
    PCollectionView<List<ShardAttempt>> attemptsView =
        attempts.apply("AttemptsView", View.asList());

    ParDo.SingleOutput<String, BuildResult> publish = ParDo.of(
        new PublishFn(lifecycle, attemptsView, rowCountView, routingValuesView, runFilesDir));
    List<PCollectionView<?>> publishSides = new java.util.ArrayList<>(routeSides);
    publishSides.add(attemptsView);
    return input.getPipeline()
        .apply("RunId", Create.of(lifecycle.runId()).withCoder(StringUtf8Coder.of()))
        .apply("Publish", publish.withSideInputs(publishSides))
        .setCoder(BuildResultCoder.of());
  }

  /**
   * This run's directory of run files, or null when runs go through the shuffle: under the
   * shared run directory if one was given, else under the temp directory when every worker
   * runs in this process (its file system is shared by definition), else none.
   */
  private String runFilesDirectory(PipelineOptions options) {
    if (runsThroughShuffle) {
      return null;
    }
    String shared = sharedRunDirectory != null ? sharedRunDirectory
        : OneProcessRunners.inThisProcess(options) ? config().tempDir().toString() : null;
    return shared == null ? null : SortedRun.runFilesDir(shared, lifecycle.runId()).toString();
  }

  private static long checkRate(String method, long perSecond) {
    if (perSecond < 0) {
      throw new ConfigValidationException(method + " must be >= 0 (0 = unlimited), got "
          + perSecond);
    }
    return perSecond;
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
        .add(DisplayData.item("sortBufferBytes", sortBufferBytes).withLabel("Sort buffer"))
        .add(DisplayData.item("maxWritesPerSecond", maxWritesPerSecond)
            .withLabel("Max rows/s (job total)"))
        .add(DisplayData.item("maxWriteBytesPerSecond", maxWriteBytesPerSecond)
            .withLabel("Max bytes/s (job total)"))
        .add(DisplayData.item("runsThroughShuffle", runsThroughShuffle)
            .withLabel("Runs through the shuffle even in one process"))
        .addIfNotNull(DisplayData.item("sharedRunDirectory", sharedRunDirectory)
            .withLabel("Shared run directory"));
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
