package io.shardyfusion.backend.sqlite;

import io.shardyfusion.backend.ShardBackend;
import io.shardyfusion.backend.ShardBuilder;
import io.shardyfusion.backend.ShardReadOptions;
import io.shardyfusion.backend.ShardReaders;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Shards as single SQLite files, byte-compatible with the Python system's {@code shard.db}:
 * one table {@code kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID}, keys in the
 * snapshot's key encoding bound as BLOBs, a rollback-journal file (never WAL), page size 4096
 * unless configured (8192…65536, or {@link PageSize#auto()} to pick by the values' sizes as
 * the Python writer does). A shard is one object, {@code {db_url}/shard.db}.
 *
 * <pre>{@code
 * WriteConfig.builder().shardBackend(SqliteBackend.defaults())...          // 4096-byte pages
 * WriteConfig.builder().shardBackend(SqliteBackend.of(PageSize.auto()))...  // large values
 * }</pre>
 *
 * <p>Readers open each file read-only and immutable, memory-mapped, with a small pool of
 * connections per shard, so many threads read at once without a global lock. They take the
 * page size from the file header, never from the manifest.
 */
public record SqliteBackend(PageSize pageSize) implements ShardBackend {
  private static final long serialVersionUID = 1L;
  /** The manifest's {@code shard_format} for SQLite shards. */
  public static final String NAME = "sqlite";
  /** The one file of a SQLite shard. */
  public static final String FILE_NAME = "shard.db";

  public SqliteBackend {
    Objects.requireNonNull(pageSize, "pageSize");
  }

  /** For {@link java.util.ServiceLoader}: 4096-byte pages. */
  public SqliteBackend() {
    this(PageSize.DEFAULT);
  }

  public static SqliteBackend defaults() {
    return new SqliteBackend();
  }

  public static SqliteBackend of(PageSize pageSize) {
    return new SqliteBackend(pageSize);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ShardBuilder newBuilder(int dbId, Path dir) {
    return new SqliteShardBuilder(dbId, dir, pageSize);
  }

  @Override
  public ShardReaders openReaders(ShardReadOptions options) {
    return new SqliteShardReaders(options);
  }
}
