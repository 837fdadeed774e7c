package io.shardyfusion.backend.rocksdb;

import io.shardyfusion.backend.ShardIterator;
import io.shardyfusion.backend.ShardReadOptions;
import io.shardyfusion.backend.ShardReader;
import io.shardyfusion.backend.ShardReaders;
import io.shardyfusion.errors.StorageException;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** Read-only RocksDB handles sharing one LRU block cache (or none). */
final class RocksDbShardReaders implements ShardReaders {
  static {
    RocksDB.loadLibrary();
  }

  private final LRUCache blockCache; // null: no block cache

  RocksDbShardReaders(ShardReadOptions options) {
    this.blockCache = options.cacheBytes() > 0 ? new LRUCache(options.cacheBytes()) : null;
  }

  @Override
  public ShardReader open(Path dir) {
    BloomFilter filter = new BloomFilter(10);
    BlockBasedTableConfig table = new BlockBasedTableConfig().setFilterPolicy(filter);
    if (blockCache != null) {
      table.setBlockCache(blockCache);
    } else {
      table.setNoBlockCache(true);
    }
    // Keep every table open: lookups never pay for reopening a file.
    Options options = new Options().setTableFormatConfig(table).setMaxOpenFiles(-1);
    try {
      return new Shard(RocksDB.openReadOnly(options, dir.toString()), options, filter);
    } catch (RocksDBException e) {
      options.close();
      filter.close();
      // The files were verified against the manifest's sizes and CRC32Cs before this open:
      // corrupt or invalid content is the published shard's, and opening again cannot help.
      // I/O trouble (descriptors, a busy disk) may pass.
      org.rocksdb.Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
      boolean damaged = code == org.rocksdb.Status.Code.Corruption
          || code == org.rocksdb.Status.Code.InvalidArgument
          || code == org.rocksdb.Status.Code.NotSupported;
      throw new StorageException("cannot open the RocksDB shard in " + dir + ": "
          + e.getMessage() + (damaged ? "; its files match the manifest, so the published "
              + "shard itself is damaged: republish the snapshot or roll back"
              : "; the local copy under the reader's localRoot may be damaged, delete it and "
              + "retry"), !damaged, e);
    }
  }

  /** The cache's native memory is shared with open databases and freed after the last one. */
  @Override
  public void close() {
    if (blockCache != null) {
      blockCache.close();
    }
  }

  private static final class Shard implements ShardReader {
    private final RocksDB db;
    private final Options options;
    private final BloomFilter filter;

    Shard(RocksDB db, Options options, BloomFilter filter) {
      this.db = db;
      this.options = options;
      this.filter = filter;
    }

    @Override
    public byte[] get(byte[] key) {
      try {
        return db.get(key);
      } catch (RocksDBException e) {
        throw new StorageException("RocksDB lookup failed: " + e.getMessage(), true, e);
      }
    }

    @Override
    public List<byte[]> multiGet(List<byte[]> keys) {
      try {
        return db.multiGetAsList(keys);
      } catch (RocksDBException e) {
        throw new StorageException("RocksDB multiGet failed: " + e.getMessage(), true, e);
      }
    }

    @Override
    public ShardIterator iterator() {
      RocksIterator it = db.newIterator();
      it.seekToFirst();
      return new ShardIterator() {
        private boolean started;

        @Override
        public boolean next() {
          if (started) {
            it.next();
          }
          started = true;
          return it.isValid();
        }

        @Override
        public byte[] key() {
          return it.key();
        }

        @Override
        public byte[] value() {
          return it.value();
        }

        @Override
        public void close() {
          it.close();
        }
      };
    }

    @Override
    public void close() {
      db.close();
      options.close();
      filter.close();
    }
  }
}
