package io.shardyfusion.backend;

import java.util.List;

/**
 * One open shard: point lookups and a sorted scan over encoded keys. Thread-safe: any number
 * of threads read at once, without a global lock.
 */
public interface ShardReader extends AutoCloseable {

  /** The value stored under {@code key}, or null. */
  byte[] get(byte[] key);

  /** Values of {@code keys} as a list parallel to it, null where a key is absent. */
  List<byte[]> multiGet(List<byte[]> keys);

  /** Every record in ascending key order; the caller closes it. */
  ShardIterator iterator();

  @Override
  void close();
}
