package io.shardyfusion.transforms;

import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.writer.WriteConfig;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Routes each element to its shard and encodes its key: the same routing and key encoding as
 * every other writer and the reader. A bad element fails the bundle with a message naming it.
 */
final class AssignShardFn<T> extends DoFn<T, KV<Integer, KV<byte[], byte[]>>> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_ELEMENT_CHARS = 200;

  private final WriteConfig config;
  private final SerializableFunction<T, ?> keyFn;
  private final SerializableFunction<T, byte[]> valueFn;
  private final SerializableFunction<T, Map<String, Object>> routingContextFn;
  private final PCollectionView<Integer> numDbsView; // null when numDbs is known up front
  private transient ShardRouter router;
  private transient int routerNumDbs;

  AssignShardFn(WriteConfig config, SerializableFunction<T, ?> keyFn,
      SerializableFunction<T, byte[]> valueFn,
      SerializableFunction<T, Map<String, Object>> routingContextFn,
      PCollectionView<Integer> numDbsView) {
    this.config = config;
    this.keyFn = keyFn;
    this.valueFn = valueFn;
    this.routingContextFn = routingContextFn;
    this.numDbsView = numDbsView;
  }

  @ProcessElement
  public void process(ProcessContext c) {
    T element = c.element();
    ShardRouter r = router(numDbsView == null ? ShardedWrite.fixedNumDbs(config)
        : c.sideInput(numDbsView));
    KeyEncoding encoding = config.keyEncoding();
    Object key;
    int dbId;
    byte[] value;
    try {
      key = encoding.normalize(keyFn.apply(element));
      dbId = routingContextFn == null ? r.route(key)
          : r.route(key, routingContextFn.apply(element));
      value = valueFn.apply(element);
    } catch (KeyValidationException e) {
      throw new KeyValidationException("element " + describe(element) + ": " + e.getMessage(),
          e);
    } catch (RoutingException e) {
      throw new RoutingException("element " + describe(element) + ": " + e.getMessage(), e);
    }
    if (value == null) {
      throw new KeyValidationException("element " + describe(element) + " (key " + key
          + "): the value function returned null; every record needs a value");
    }
    byte[] keyBytes = encoding.encodeNormalized(key);
    ShardedWriteMetrics.ROWS_ROUTED.inc();
    ShardedWriteMetrics.BYTES_ROUTED.inc(keyBytes.length + value.length);
    c.output(KV.of(dbId, KV.of(keyBytes, value)));
  }

  private ShardRouter router(int numDbs) {
    if (router == null || routerNumDbs != numDbs) {
      router = numDbs < 0
          ? ShardRouters.createDiscovering(config.sharding(), config.keyEncoding())
          : ShardRouters.create(config.sharding(), numDbs, config.keyEncoding());
      routerNumDbs = numDbs;
    }
    return router;
  }

  static String describe(Object element) {
    String s = String.valueOf(element);
    return s.length() > MAX_ELEMENT_CHARS ? s.substring(0, MAX_ELEMENT_CHARS) + "..." : s;
  }
}
