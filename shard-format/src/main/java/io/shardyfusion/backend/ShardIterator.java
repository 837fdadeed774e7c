package io.shardyfusion.backend;

/** A forward scan over a shard's records in ascending key order. Single-threaded. */
public interface ShardIterator extends AutoCloseable {

  /** Moves to the next record; false at the end. */
  boolean next();

  /** The current record's encoded key (a new array the caller may keep). */
  byte[] key();

  /** The current record's value (a new array the caller may keep). */
  byte[] value();

  @Override
  void close();
}
