package io.shardyfusion.transforms;

import io.shardyfusion.errors.ShardBuildException;
import io.shardyfusion.routing.RecordRouter;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.sort.RunSorter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Routes each element to its shard and encodes its key with {@link RecordRouter} (the same
 * routing and key encoding as every other writer and the reader), collects a bundle's records
 * in one bounded sort buffer, and whenever it fills (and when the bundle ends) sorts it and
 * emits one {@link SortedRun} per shard (or a few, each at most {@link #MAX_BLOCK_BYTES}).
 * So the shuffle moves a few large byte elements per shard and bundle instead of one element
 * per record, and the shard task merges runs instead of sorting records.
 *
 * <p>With a shared run directory (every worker sees the same file system: the Direct runner,
 * or a shared mount the user names), a full buffer is written to one file there and only
 * references to each shard's segment travel; the Direct runner, which keeps every element of
 * a PCollection in heap, then holds a few bytes per run instead of the records.
 *
 * <p>Retries: each bundle attempt draws a random id for its runs and writes its files under
 * fresh names, so a retried bundle never overwrites a run another attempt emitted; Beam
 * discards the outputs of a failed bundle attempt, so a shard task never sees the runs of two
 * attempts at one bundle (the files of discarded attempts are deleted with the run directory
 * after publish). A bad element fails the bundle with a message naming it.
 *
 * <p>Each input element is a source of records read by a {@link SourceReader} (the element
 * itself for a plain write; a file range for {@link ShardedWrite#readingEach}).
 *
 * <p>Heap: one sort buffer per instance (allocated on first use and reused across bundles).
 */
final class SortRunsFn<S, T> extends DoFn<S, KV<Integer, SortedRun>> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_ELEMENT_CHARS = 200;
  /** Largest block one shuffle element carries (a single larger record gets its own). */
  static final int MAX_BLOCK_BYTES = 8 << 20;

  private final WriteConfig config;
  private final SourceReader<S, T> reader;
  private final SerializableFunction<T, ?> keyFn;
  private final SerializableFunction<T, byte[]> valueFn;
  private final SerializableFunction<T, Map<String, Object>> routingContextFn;
  private final PCollectionView<Long> rowCountView; // null when the count needs no rows
  // The distinct CEL tokens when the config infers its routing values, else null.
  private final PCollectionView<List<String>> routingValuesView;
  private final long bufferBytes;
  /** This run's directory of run files on a shared file system; null: runs are blocks. */
  private final String runFilesDir;
  /** The GroupByKey key of each shard (see {@link ShardSpread}). */
  private final ShardSpread spread;
  private transient WriteConfig resolved; // config with the inferred routing values, if any
  private transient RecordRouter keys;
  private transient ShardCount keysCount;
  private transient RunSorter sorter;
  private transient long bundleId;
  private transient int seq;
  private transient long rows;
  private transient long bytes;

  SortRunsFn(WriteConfig config, SourceReader<S, T> reader, SerializableFunction<T, ?> keyFn,
      SerializableFunction<T, byte[]> valueFn,
      SerializableFunction<T, Map<String, Object>> routingContextFn,
      PCollectionView<Long> rowCountView, PCollectionView<List<String>> routingValuesView,
      long bufferBytes, String runFilesDir, ShardSpread spread) {
    this.config = config;
    this.reader = reader;
    this.routingValuesView = routingValuesView;
    this.keyFn = keyFn;
    this.valueFn = valueFn;
    this.routingContextFn = routingContextFn;
    this.rowCountView = rowCountView;
    this.bufferBytes = bufferBytes;
    this.runFilesDir = runFilesDir;
    this.spread = spread;
  }

  @StartBundle
  public void startBundle() {
    bundleId = ThreadLocalRandom.current().nextLong();
    seq = 0;
    rows = 0;
    bytes = 0;
    if (sorter != null && !sorter.isEmpty()) {
      // A previous bundle failed midway; its records must not leak into this one.
      sorter = null;
    }
  }

  @ProcessElement
  public void process(ProcessContext c) {
    if (resolved == null) {
      resolved = routingValuesView == null ? config
          : InferRoutingValues.resolve(config, c.sideInput(routingValuesView));
    }
    RecordRouter router = keys(ShardedWrite.resolve(resolved.shardCount(), c, rowCountView));
    readEach(reader, c.element(), element -> route(c, router, element));
  }

  private void route(ProcessContext c, RecordRouter router, T element) {
    RecordRouter.Record r = router.prepare(element, keyFn::apply,
        routingContextFn == null ? null : routingContextFn::apply, valueFn::apply,
        () -> "element " + describe(element));
    if (sorter == null) {
      sorter = new RunSorter(bufferBytes, MAX_BLOCK_BYTES);
    }
    if (!sorter.add(r.dbId(), r.key(), r.value())) {
      drain(c::output);
      sorter.add(r.dbId(), r.key(), r.value());
    }
    rows++;
    bytes += r.key().length + r.value().length;
  }

  /**
   * {@code reader}'s elements of {@code source}, each to {@code out}; an I/O failure is a
   * retryable storage error naming the source.
   */
  static <S, T> void readEach(SourceReader<S, T> reader, S source, Consumer<? super T> out) {
    try {
      reader.read(source, out);
    } catch (RuntimeException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new io.shardyfusion.errors.StorageException("cannot read " + describe(source)
          + ": " + e, true, e);
    } catch (Exception e) {
      throw new ShardBuildException("cannot read " + describe(source) + ": " + e, false, e);
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    if (sorter != null && !sorter.isEmpty()) {
      drain(kv -> c.output(kv, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE));
    }
    ShardedWriteMetrics.ROWS_ROUTED.inc(rows);
    ShardedWriteMetrics.BYTES_ROUTED.inc(bytes);
    rows = 0;
    bytes = 0;
  }

  private void drain(Consumer<KV<Integer, SortedRun>> out) {
    if (runFilesDir == null) {
      sorter.drainBlocks((shard, block, records) -> {
        out.accept(KV.of(spread.keyOf(shard), SortedRun.block(bundleId, seq++, records, block)));
        ShardedWriteMetrics.RUNS_EMITTED.inc();
      });
      return;
    }
    Path dir = Paths.get(runFilesDir);
    Path file = dir.resolve(String.format("%016x-%d.run", bundleId, seq));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ShardBuildException("cannot create the shared run directory " + dir + ": "
          + e.getMessage() + "; point withSharedRunDirectory (or the write's tempDir on the "
          + "Direct runner) at a writable disk", true, e);
    }
    String path = file.toString();
    sorter.drainToFile(file, (shard, offset, length, records) -> {
      out.accept(KV.of(spread.keyOf(shard), SortedRun.fileSegment(bundleId, seq++, (int) records, path,
          offset, length)));
      ShardedWriteMetrics.RUNS_EMITTED.inc();
    });
  }

  private RecordRouter keys(ShardCount count) {
    if (keys == null || !count.equals(keysCount)) {
      keys = new RecordRouter(count.router(resolved.sharding(), resolved.keyEncoding()),
          resolved.keyEncoding());
      keysCount = count;
    }
    return keys;
  }

  static String describe(Object element) {
    String s = String.valueOf(element);
    return s.length() > MAX_ELEMENT_CHARS ? s.substring(0, MAX_ELEMENT_CHARS) + "..." : s;
  }
}
