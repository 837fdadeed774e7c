package io.shardyfusion.shard;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.errors.ShardBuildException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.routing.KeyEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * Turns one shard's sorted records into a RocksDB database directory.
 *
 * <p>Records stream through {@link SstFileWriter} (the fastest way RocksDB has to write sorted
 * data: no memtable, no WAL, no compaction), split into files of about
 * {@link ShardFormatOptions#maxSstFileBytes()}, and the files are then ingested by moving them
 * into an empty database. The result opens read-only anywhere, and memory stays at one record
 * plus RocksDB's block buffers however large the shard is.
 *
 * <p>Adjacent equal keys, which the sorted input makes visible, fail the build with
 * {@link DuplicateKeyException}: a snapshot never resolves duplicates silently.
 */
public final class ShardDbBuilder {
  static {
    RocksDB.loadLibrary();
  }

  private ShardDbBuilder() {}

  /**
   * Builds shard {@code dbId} into {@code dbDir} (created; must not hold a database yet):
   * {@link #write} then {@link PendingShard#complete()}.
   *
   * @return the shard, or null when {@code sorted} was empty
   */
  public static BuiltShard build(int dbId, RecordCursor sorted, Path dbDir,
      ShardFormatOptions format, KeyEncoding encoding) {
    try (PendingShard pending = write(dbId, sorted, dbDir, format, encoding)) {
      return pending == null ? null : pending.complete();
    }
  }

  /**
   * The CPU-bound half of a build: streams the sorted records into SST files. The last file is
   * left unfinished; {@link PendingShard#complete()} does the I/O-bound rest (finish and sync
   * the file, ingest, checksum), so a writer can overlap it with the next shard's records.
   *
   * @param sorted ascending records; consumed and closed
   * @param encoding renders a duplicate key readably in the error
   * @return the pending shard, or null when {@code sorted} was empty
   */
  public static PendingShard write(int dbId, RecordCursor sorted, Path dbDir,
      ShardFormatOptions format, KeyEncoding encoding) {
    PendingShard p = new PendingShard(dbId, dbDir, format);
    try (sorted) {
      Files.createDirectories(p.sstDir);
      byte[] prev = null;
      while (sorted.next()) {
        byte[] key = sorted.key();
        if (prev != null && Arrays.equals(prev, key)) {
          throw new DuplicateKeyException(dbId, encoding.describe(key));
        }
        // fileSize() is a JNI call: look every 4096 rows, which overshoots the limit by little.
        if (p.writer == null
            || ((p.rows & 4095) == 0 && p.writer.fileSize() >= format.maxSstFileBytes())) {
          p.nextFile();
        }
        byte[] value = sorted.value();
        p.put(key, value);
        p.content.putByteArray(key).putByteArray(value);
        if (p.first == null) {
          p.first = key;
        }
        prev = key;
        p.rows++;
      }
      p.last = prev;
      if (p.rows == 0) {
        p.close();
        return null;
      }
      return p;
    } catch (RocksDBException e) {
      p.close();
      throw new ShardBuildException("RocksDB failed building shard " + dbId + " in " + dbDir
          + ": " + e.getMessage(), false, e);
    } catch (IOException e) {
      p.close();
      throw ioFailure(dbId, dbDir, e);
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** A shard whose records are all written; {@link #complete()} turns it into a database. */
  public static final class PendingShard implements AutoCloseable {
    private final int dbId;
    private final Path dbDir;
    private final Path sstDir;
    private final ShardFormatOptions format;
    private final Options options;
    private final EnvOptions env = new EnvOptions();
    private final List<String> ssts = new ArrayList<>();
    private final HashStream128 content = Hashing.xxh3_128().hashStream();
    private SstFileWriter writer;
    private long rows;
    private byte[] first;
    private byte[] last;
    private boolean closed;

    private PendingShard(int dbId, Path dbDir, ShardFormatOptions format) {
      this.dbId = dbId;
      this.dbDir = dbDir;
      this.sstDir = dbDir.resolveSibling(dbDir.getFileName() + ".sst");
      this.format = format;
      this.options = format.newRocksOptions();
    }

    public int dbId() {
      return dbId;
    }

    public long rows() {
      return rows;
    }

    // Direct buffers let RocksJava hand the bytes to RocksDB in place; byte[] puts are copied
    // into native memory on every call.
    private ByteBuffer keyBuf = ByteBuffer.allocateDirect(256);
    private ByteBuffer valueBuf = ByteBuffer.allocateDirect(4096);

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

    private void nextFile() throws RocksDBException {
      finish(writer);
      writer = new SstFileWriter(env, options);
      String path = sstDir.resolve(String.format("part-%05d.sst", ssts.size())).toString();
      writer.open(path);
      ssts.add(path);
    }

    /** Finishes the SST files, ingests them into a database and checksums its files. */
    public BuiltShard complete() {
      try {
        finish(writer);
        writer = null;
        ingest(dbDir, ssts, options);
        List<ShardFile> files = describeFiles(dbDir);
        long bytes = files.stream().mapToLong(ShardFile::size).sum();
        HashValue128 h = content.get();
        String hash = String.format("%016x%016x", h.getMostSignificantBits(),
            h.getLeastSignificantBits());
        return new BuiltShard(dbId, dbDir, files, rows, bytes, first, last, hash);
      } catch (RocksDBException e) {
        throw new ShardBuildException("RocksDB failed building shard " + dbId + " in " + dbDir
            + ": " + e.getMessage(), false, e);
      } catch (IOException e) {
        throw ioFailure(dbId, dbDir, e);
      } finally {
        close();
      }
    }

    /** Releases native resources and temporary SST files; idempotent. */
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
  }

  private static ShardBuildException ioFailure(int dbId, Path dbDir, IOException e) {
    return new ShardBuildException("cannot write shard " + dbId + " under " + dbDir + ": "
        + e.getMessage() + "; check free space and permissions of the build directory", true, e);
  }

  private static void finish(SstFileWriter writer) throws RocksDBException {
    if (writer != null) {
      writer.finish();
      writer.close();
    }
  }

  private static void ingest(Path dbDir, List<String> ssts, Options options)
      throws RocksDBException, IOException {
    Files.createDirectories(dbDir);
    try (RocksDB db = RocksDB.open(options, dbDir.toString());
        IngestExternalFileOptions ingest = new IngestExternalFileOptions()
            .setMoveFiles(true)) {
      db.ingestExternalFile(ssts, ingest);
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

  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: temp files only
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
