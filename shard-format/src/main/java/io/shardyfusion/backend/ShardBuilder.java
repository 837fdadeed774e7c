package io.shardyfusion.backend;

import io.shardyfusion.manifest.ShardFile;
import java.util.List;

/**
 * Writes one shard from records given in strictly ascending unsigned-byte key order. The
 * caller guarantees the order and rejects duplicate keys before they reach the builder.
 *
 * <p>{@link #add} is the CPU-bound half of a build and {@link #finish} the I/O-bound half
 * (sync, index, checksum), so a writer can overlap one shard's finish with the next shard's
 * records. Memory stays bounded by the backend's buffers, whatever the shard's size.
 */
public interface ShardBuilder extends AutoCloseable {

  /**
   * Appends one record. The builder may hold on to the arrays until {@link #finish} (to batch
   * them), so callers pass arrays they do not modify afterwards.
   */
  void add(byte[] key, byte[] value);

  /**
   * Completes the shard: every file it consists of is written, synced and listed with its
   * size and CRC32C, in name order. Called at most once, after at least one {@link #add}.
   */
  List<ShardFile> finish();

  /** Releases native resources and temporary files; idempotent; keeps finished files. */
  @Override
  void close();
}
