package io.shardyfusion.backend.rocksdb;

import io.shardyfusion.backend.ShardBuilder;
import io.shardyfusion.errors.ShardBuildException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.storage.Checksums;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * Streams sorted records through {@link SstFileWriter} into SST files of about
 * {@link ShardFormatOptions#maxSstFileBytes()}, then ingests them by moving them into an empty
 * database. Memory stays at RocksDB's block buffers however large the shard is.
 */
final class RocksDbShardBuilder implements ShardBuilder {
  static {
    RocksDB.loadLibrary();
  }

  private final int dbId;
  private final Path dbDir;
  private final Path sstDir;
  private final ShardFormatOptions format;
  private final Options options;
  private final EnvOptions env = new EnvOptions();
  private final List<String> ssts = new ArrayList<>();
  private SstFileWriter writer;
  private long rows;
  private boolean closed;
  // Direct buffers let RocksJava hand the bytes to RocksDB in place; byte[] puts are copied
  // into native memory on every call.
  private ByteBuffer keyBuf = ByteBuffer.allocateDirect(256);
  private ByteBuffer valueBuf = ByteBuffer.allocateDirect(4096);

  RocksDbShardBuilder(int dbId, Path dbDir, ShardFormatOptions format) {
    this.dbId = dbId;
    this.dbDir = dbDir;
    this.sstDir = dbDir.resolveSibling(dbDir.getFileName() + ".sst");
    this.format = format;
    this.options = format.newRocksOptions();
  }

  @Override
  public void add(byte[] key, byte[] value) {
    try {
      // fileSize() is a JNI call: look every 4096 rows, which overshoots the limit by little.
      if (writer == null
          || ((rows & 4095) == 0 && writer.fileSize() >= format.maxSstFileBytes())) {
        nextFile();
      }
      put(key, value);
      rows++;
    } catch (RocksDBException e) {
      throw rocksFailure(e);
    } catch (IOException e) {
      throw ioFailure(e);
    }
  }

  private void put(byte[] key, byte[] value) throws RocksDBException {
    if (key.length > keyBuf.capacity()) {
      keyBuf = ByteBuffer.allocateDirect(Integer.highestOneBit(key.length) << 1);
    }
    if (value.length > valueBuf.capacity()) {
      valueBuf = ByteBuffer.allocateDirect(Integer.highestOneBit(value.length) << 1);
    }
    keyBuf.clear();
    keyBuf.put(key).flip();
    valueBuf.clear();
    valueBuf.put(value).flip();
    writer.put(keyBuf, valueBuf);
  }

  private void nextFile() throws RocksDBException, IOException {
    finishFile();
    if (ssts.isEmpty()) {
      Files.createDirectories(sstDir);
    }
    writer = new SstFileWriter(env, options);
    String path = sstDir.resolve(String.format("part-%05d.sst", ssts.size())).toString();
    writer.open(path);
    ssts.add(path);
  }

  @Override
  public List<ShardFile> finish() {
    try {
      finishFile();
      Files.createDirectories(dbDir);
      try (RocksDB db = RocksDB.open(options, dbDir.toString());
          IngestExternalFileOptions ingest = new IngestExternalFileOptions()
              .setMoveFiles(true)) {
        db.ingestExternalFile(ssts, ingest);
      }
      return describeFiles(dbDir);
    } catch (RocksDBException e) {
      throw rocksFailure(e);
    } catch (IOException e) {
      throw ioFailure(e);
    } finally {
      close();
    }
  }

  private void finishFile() throws RocksDBException {
    if (writer != null) {
      writer.finish();
      writer.close();
      writer = null;
    }
  }

  /** The files a reader needs; RocksDB's info log, lock and empty WALs are left behind. */
  static List<ShardFile> describeFiles(Path dbDir) throws IOException {
    List<ShardFile> out = new ArrayList<>();
    try (Stream<Path> list = Files.list(dbDir)) {
      for (Path p : (Iterable<Path>) list.sorted()::iterator) {
        String name = p.getFileName().toString();
        long size = Files.size(p);
        if (name.startsWith("LOG") || name.equals("LOCK")
            || (name.endsWith(".log") && size == 0)) {
          continue;
        }
        out.add(new ShardFile(name, size, Checksums.crc32c(p)));
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (writer != null) {
      writer.close();
    }
    options.close();
    env.close();
    deleteQuietly(sstDir);
  }

  private ShardBuildException rocksFailure(RocksDBException e) {
    return new ShardBuildException("RocksDB failed building shard " + dbId + " in " + dbDir
        + ": " + e.getMessage(), false, e);
  }

  private ShardBuildException ioFailure(IOException e) {
    return new ShardBuildException("cannot write shard " + dbId + " under " + dbDir + ": "
        + e.getMessage() + "; check free space and permissions of the build directory", true, e);
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: temporary SST files only
    }
  }
}
