package io.shardyfusion.writer.sort;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.backend.ShardBackend;
import io.shardyfusion.backend.ShardBuilder;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.routing.KeyEncoding;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Feeds one shard's sorted records into a backend's {@link ShardBuilder}, doing what every
 * backend needs the same way: adjacent equal keys fail the build with
 * {@link DuplicateKeyException} (a snapshot never resolves duplicates silently), and the row
 * count, min/max keys and content hash are taken on the way.
 */
public final class ShardBuild {
  private ShardBuild() {}

  /**
   * Builds shard {@code dbId} into {@code dir}: {@link #write} then {@link Pending#complete()}.
   *
   * @return the shard, or null when {@code sorted} was empty
   */
  public static BuiltShard build(ShardBackend backend, int dbId, RecordCursor sorted, Path dir,
      KeyEncoding encoding) {
    try (Pending pending = write(backend, dbId, sorted, dir, encoding)) {
      return pending == null ? null : pending.complete();
    }
  }

  /**
   * The CPU-bound half of a build: streams the sorted records into the backend.
   * {@link Pending#complete()} does the I/O-bound rest, so a writer can overlap it with the next
   * shard's records.
   *
   * @param sorted ascending records; consumed and closed
   * @param encoding renders a duplicate key readably in the error
   * @return the pending shard, or null when {@code sorted} was empty
   */
  public static Pending write(ShardBackend backend, int dbId, RecordCursor sorted, Path dir,
      KeyEncoding encoding) {
    Pending p = new Pending(dbId, dir, backend.newBuilder(dbId, dir));
    try (sorted) {
      byte[] prev = null;
      while (sorted.next()) {
        byte[] key = sorted.key();
        if (prev != null && Arrays.equals(prev, key)) {
          throw new DuplicateKeyException(dbId, encoding.describe(key));
        }
        byte[] value = sorted.value();
        p.builder.add(key, value);
        p.content.putByteArray(key).putByteArray(value);
        if (p.first == null) {
          p.first = key;
        }
        prev = key;
        p.rows++;
        p.recordBytes += key.length + value.length;
      }
      p.last = prev;
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
    if (p.rows == 0) {
      p.close();
      return null;
    }
    return p;
  }

  /** A shard whose records are all added; {@link #complete()} finishes its files. */
  public static final class Pending implements AutoCloseable {
    private final int dbId;
    private final Path dir;
    private final ShardBuilder builder;
    private final HashStream128 content = Hashing.xxh3_128().hashStream();
    private long rows;
    private long recordBytes;
    private byte[] first;
    private byte[] last;

    private Pending(int dbId, Path dir, ShardBuilder builder) {
      this.dbId = dbId;
      this.dir = dir;
      this.builder = builder;
    }

    public int dbId() {
      return dbId;
    }

    public long rows() {
      return rows;
    }

    /** Finishes the backend's files and describes the shard. */
    public BuiltShard complete() {
      try {
        List<ShardFile> files = builder.finish();
        long bytes = files.stream().mapToLong(ShardFile::size).sum();
        HashValue128 h = content.get();
        String hash = String.format("%016x%016x", h.getMostSignificantBits(),
            h.getLeastSignificantBits());
        return new BuiltShard(dbId, dir, files, rows, bytes, recordBytes, first, last, hash);
      } finally {
        close();
      }
    }

    /** Releases the builder's resources and temporary files; idempotent. */
    @Override
    public void close() {
      builder.close();
    }
  }
}
