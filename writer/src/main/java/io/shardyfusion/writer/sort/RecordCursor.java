package io.shardyfusion.writer.sort;

import java.io.Closeable;

/**
 * A forward-only stream of key/value records in ascending unsigned-byte key order (RocksDB's
 * bytewise order). The arrays returned by {@link #key()} and {@link #value()} belong to the
 * caller once returned.
 */
public interface RecordCursor extends Closeable {

  /** Moves to the next record; false at the end. */
  boolean next();

  byte[] key();

  byte[] value();

  @Override
  void close();
}
