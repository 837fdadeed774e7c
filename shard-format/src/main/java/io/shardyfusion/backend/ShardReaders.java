package io.shardyfusion.backend;

import java.nio.file.Path;

/**
 * Opens shards of one backend read-only, sharing reader-wide resources (RocksDB's block cache,
 * for example). Thread-safe. Closing it must not invalidate shards that are still open: each
 * {@link ShardReader} keeps what it needs until it is closed itself.
 */
public interface ShardReaders extends AutoCloseable {

  /**
   * Opens the shard whose verified files are in {@code dir}.
   *
   * @throws io.shardyfusion.errors.StorageException when the files cannot be opened (damaged
   *     local copy: retryable after deleting it)
   */
  ShardReader open(Path dir);

  @Override
  void close();
}
