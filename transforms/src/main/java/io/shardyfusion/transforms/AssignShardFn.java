package io.shardyfusion.transforms;

import io.shardyfusion.routing.RecordRouter;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.writer.WriteConfig;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Routes each element to its shard and encodes its key with {@link RecordRouter}: the same
 * routing and key encoding as every other writer and the reader. A bad element fails the
 * bundle with a message naming it.
 */
final class AssignShardFn<T> extends DoFn<T, KV<Integer, KV<byte[], byte[]>>> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_ELEMENT_CHARS = 200;

  private final WriteConfig config;
  private final SerializableFunction<T, ?> keyFn;
  private final SerializableFunction<T, byte[]> valueFn;
  private final SerializableFunction<T, Map<String, Object>> routingContextFn;
  private final PCollectionView<Long> rowCountView; // null when the count needs no rows
  // The distinct CEL tokens when the config infers its routing values, else null.
  private final PCollectionView<List<String>> routingValuesView;
  private transient WriteConfig resolved;
  private transient RecordRouter keys;
  private transient ShardCount keysCount;

  AssignShardFn(WriteConfig config, SerializableFunction<T, ?> keyFn,
      SerializableFunction<T, byte[]> valueFn,
      SerializableFunction<T, Map<String, Object>> routingContextFn,
      PCollectionView<Long> rowCountView, PCollectionView<List<String>> routingValuesView) {
    this.config = config;
    this.routingValuesView = routingValuesView;
    this.keyFn = keyFn;
    this.valueFn = valueFn;
    this.routingContextFn = routingContextFn;
    this.rowCountView = rowCountView;
  }

  @ProcessElement
  public void process(ProcessContext c) {
    T element = c.element();
    if (resolved == null) {
      resolved = routingValuesView == null ? config
          : InferRoutingValues.resolve(config, c.sideInput(routingValuesView));
    }
    RecordRouter.Record r = keys(ShardedWrite.resolve(resolved.shardCount(), c, rowCountView))
        .prepare(element, keyFn::apply,
            routingContextFn == null ? null : routingContextFn::apply, valueFn::apply,
            () -> "element " + describe(element));
    ShardedWriteMetrics.ROWS_ROUTED.inc();
    ShardedWriteMetrics.BYTES_ROUTED.inc(r.key().length + r.value().length);
    c.output(KV.of(r.dbId(), KV.of(r.key(), r.value())));
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
