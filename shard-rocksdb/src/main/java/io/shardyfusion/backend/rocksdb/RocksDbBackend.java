package io.shardyfusion.backend.rocksdb;

import io.shardyfusion.backend.ShardBackend;
import io.shardyfusion.backend.ShardBuilder;
import io.shardyfusion.backend.ShardReadOptions;
import io.shardyfusion.backend.ShardReaders;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Shards as RocksDB databases, the default backend: written with {@code SstFileWriter} (no
 * memtable, no WAL, no compaction) and ingested into an empty database, read with read-only
 * handles that share one LRU block cache.
 *
 * <pre>{@code
 * WriteConfig.builder().shardBackend(RocksDbBackend.of(
 *     ShardFormatOptions.defaults().withCompression("zstd")))...
 * }</pre>
 */
public record RocksDbBackend(ShardFormatOptions format) implements ShardBackend {
  private static final long serialVersionUID = 1L;
  /** The manifest's {@code shard_format} for RocksDB shards. */
  public static final String NAME = "rocksdb";

  public RocksDbBackend {
    Objects.requireNonNull(format, "format");
  }

  /** For {@link java.util.ServiceLoader}: the default format. */
  public RocksDbBackend() {
    this(ShardFormatOptions.defaults());
  }

  public static RocksDbBackend defaults() {
    return new RocksDbBackend();
  }

  public static RocksDbBackend of(ShardFormatOptions format) {
    return new RocksDbBackend(format);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ShardBuilder newBuilder(int dbId, Path dir) {
    return new RocksDbShardBuilder(dbId, dir, format);
  }

  @Override
  public ShardReaders openReaders(ShardReadOptions options) {
    return new RocksDbShardReaders(options);
  }
}
