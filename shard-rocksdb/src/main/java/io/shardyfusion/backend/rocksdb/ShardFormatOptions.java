package io.shardyfusion.backend.rocksdb;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.Serializable;
import java.util.Locale;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * How shard SST files are laid out. The defaults suit point lookups: 4 KiB blocks, a 10-bit
 * Bloom filter (about 1% false positives, so most misses never touch a data block) and LZ4,
 * which costs little CPU and shrinks what is uploaded and downloaded.
 *
 * @param compression none, lz4, zstd or snappy
 * @param blockSizeBytes data block size
 * @param bloomBitsPerKey Bloom filter bits per key; 0 disables the filter
 * @param maxSstFileBytes a shard is split into SST files of at most about this size
 */
public record ShardFormatOptions(String compression, int blockSizeBytes, int bloomBitsPerKey,
    long maxSstFileBytes) implements Serializable {

  public static ShardFormatOptions defaults() {
    return new ShardFormatOptions("lz4", 4096, 10, 1L << 30);
  }

  public ShardFormatOptions {
    compressionType(compression);
    if (blockSizeBytes < 512 || blockSizeBytes > (1 << 24)) {
      throw new ConfigValidationException("blockSizeBytes must be in 512..16777216, got "
          + blockSizeBytes);
    }
    if (bloomBitsPerKey < 0 || bloomBitsPerKey > 64) {
      throw new ConfigValidationException("bloomBitsPerKey must be in 0..64, got "
          + bloomBitsPerKey);
    }
    if (maxSstFileBytes < (1 << 20)) {
      throw new ConfigValidationException("maxSstFileBytes must be >= 1 MiB, got "
          + maxSstFileBytes);
    }
  }

  public ShardFormatOptions withCompression(String c) {
    return new ShardFormatOptions(c, blockSizeBytes, bloomBitsPerKey, maxSstFileBytes);
  }

  public ShardFormatOptions withMaxSstFileBytes(long n) {
    return new ShardFormatOptions(compression, blockSizeBytes, bloomBitsPerKey, n);
  }

  static CompressionType compressionType(String name) {
    switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
      case "none":
        return CompressionType.NO_COMPRESSION;
      case "lz4":
        return CompressionType.LZ4_COMPRESSION;
      case "zstd":
        return CompressionType.ZSTD_COMPRESSION;
      case "snappy":
        return CompressionType.SNAPPY_COMPRESSION;
      default:
        throw new ConfigValidationException("compression '" + name
            + "' is not supported; use none, lz4, zstd or snappy");
    }
  }

  /** RocksDB options for writing SST files in this format. The caller closes them. */
  Options newRocksOptions() {
    BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockSize(blockSizeBytes);
    if (bloomBitsPerKey > 0) {
      table.setFilterPolicy(new BloomFilter(bloomBitsPerKey)).setWholeKeyFiltering(true);
    }
    return new Options().setCreateIfMissing(true)
        .setCompressionType(compressionType(compression))
        .setTableFormatConfig(table);
  }
}
