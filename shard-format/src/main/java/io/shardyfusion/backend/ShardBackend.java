package io.shardyfusion.backend;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * A way to store one shard: a {@link ShardBuilder} that turns records in key order into local
 * files, and {@link ShardReaders} that open such files read-only. The manifest names the
 * backend of each snapshot ({@code required.shard_format}); readers find the implementation with
 * {@link ShardBackends#forName(String)}.
 *
 * <p>A shard is a directory of files: several for RocksDB (SST files, MANIFEST, OPTIONS,
 * CURRENT), exactly one for SQLite ({@code shard.db}). Everything around the backend (routing,
 * sorting, duplicate detection, min/max keys, content hashes, upload, download and checksum
 * verification) is the same for every backend and lives outside it.
 *
 * <pre>{@code
 * ShardBackend backend = ShardBackends.forName("rocksdb");
 * try (ShardBuilder b = backend.newBuilder(0, dir)) {
 *   b.add(key1, value1);            // ascending unsigned-byte order
 *   List<ShardFile> files = b.finish();
 * }
 * try (ShardReaders readers = backend.openReaders(ShardReadOptions.defaults());
 *     ShardReader shard = readers.open(dir)) {
 *   byte[] v = shard.get(key1);
 * }
 * }</pre>
 *
 * <p>Implementations are immutable and serializable (distributed writers ship them to workers)
 * and are registered for {@link java.util.ServiceLoader} under
 * {@code META-INF/services/io.shardyfusion.backend.ShardBackend}.
 */
public interface ShardBackend extends Serializable {

  /** The name written to and read from manifests, e.g. {@code rocksdb}. */
  String name();

  /**
   * A builder for one shard whose files land in {@code dir} (which must not exist yet; the
   * builder may use siblings of it named {@code dir.getFileName() + ".*"} for temporary files).
   */
  ShardBuilder newBuilder(int dbId, Path dir);

  /** Reader-wide resources (a block cache, say) from which shards are opened. */
  ShardReaders openReaders(ShardReadOptions options);
}
