package io.shardyfusion.bench;

import java.nio.file.Path;
import org.rocksdb.CompressionType;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.SstFileWriter;

/** The raw limits: what RocksDB alone does with the same rows, measured in the same run. */
public final class RawRocksDb {
  static {
    RocksDB.loadLibrary();
  }

  private RawRocksDb() {}

  /** Writes pre-sorted rows (8-byte big-endian keys 0..rows-1) with SstFileWriter; rows/s. */
  public static double sstFileWriterRate(Path file, long rows, int valueSize) throws Exception {
    byte[] value = new byte[valueSize];
    long t0 = System.nanoTime();
    try (Options options = new Options().setCompressionType(CompressionType.NO_COMPRESSION);
        EnvOptions env = new EnvOptions();
        SstFileWriter w = new SstFileWriter(env, options)) {
      w.open(file.toString());
      byte[] key = new byte[8];
      for (long i = 0; i < rows; i++) {
        for (int b = 0; b < 8; b++) {
          key[b] = (byte) (i >>> (56 - 8 * b));
        }
        BenchData.value(i, value);
        w.put(key, value);
      }
      w.finish();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    java.nio.file.Files.deleteIfExists(file);
    return rows / secs;
  }
}
