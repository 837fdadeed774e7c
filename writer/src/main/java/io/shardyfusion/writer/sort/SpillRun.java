package io.shardyfusion.writer.sort;

import io.shardyfusion.errors.ShardBuildException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * One sorted buffer written to a local file. Records of a shard are contiguous, so the run keeps
 * an index of (shard id → byte range, record count) and a shard's merge reads only its segment.
 * Record layout: key length and value length as 4-byte big-endian ints, then key, then value.
 */
final class SpillRun {
  private static final int IO_BUFFER = 256 * 1024;
  private static final int WRITE_CHUNK = 1 << 20;

  record Segment(long start, long length, long records) {}

  private final Path file;
  private final Map<Integer, Segment> segments;

  private SpillRun(Path file, Map<Integer, Segment> segments) {
    this.file = file;
    this.segments = segments;
  }

  /**
   * Writes a sorted buffer's records to {@code file}: gathered from the arena into one chunk
   * and written with a channel, not a stream call per record.
   */
  static SpillRun write(SortBuffer sorted, Path file) {
    Map<Integer, Segment> index = new TreeMap<>();
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      byte[] arena = sorted.arena();
      ByteBuffer chunk = ByteBuffer.allocate(WRITE_CHUNK);
      long pos = 0;
      int i = 0;
      int n = sorted.size();
      while (i < n) {
        int shardId = sorted.shardAt(i);
        long start = pos;
        int first = i;
        for (; i < n && sorted.shardAt(i) == shardId; i++) {
          int len = sorted.recordLength(i);
          if (chunk.remaining() < len) {
            writeAll(out, chunk.flip());
            chunk.clear();
          }
          if (len > chunk.capacity()) {
            writeAll(out, ByteBuffer.wrap(arena, sorted.recordOffset(i), len));
          } else {
            chunk.put(arena, sorted.recordOffset(i), len);
          }
          pos += len;
        }
        index.put(shardId, new Segment(start, pos - start, i - first));
      }
      writeAll(out, chunk.flip());
    } catch (IOException e) {
      throw new ShardBuildException("cannot write sort spill file " + file + ": " + e
          + "; check free space and permissions of the temp directory", true, e);
    }
    return new SpillRun(file, index);
  }

  private static void writeAll(FileChannel out, ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      out.write(data);
    }
  }

  /** The segment of each shard in this run, by shard id in ascending order. */
  Map<Integer, Segment> segments() {
    return segments;
  }

  Path file() {
    return file;
  }

  long records(int shardId) {
    Segment s = segments.get(shardId);
    return s == null ? 0 : s.records();
  }

  /** A cursor over one shard's records in this run, or null when the run has none. */
  RecordCursor open(int shardId) {
    Segment s = segments.get(shardId);
    if (s == null) {
      return null;
    }
    try {
      return new SegmentCursor(FileChannel.open(file, StandardOpenOption.READ), s, file);
    } catch (IOException e) {
      throw new ShardBuildException("cannot read sort spill file " + file + ": " + e
          + "; check free space and permissions of the temp directory", true, e);
    }
  }

  /** A cursor over records stored at {@code [start, start + length)} of {@code file}. */
  static RecordCursor openSegment(Path file, long start, long length) {
    try {
      return new SegmentCursor(FileChannel.open(file, StandardOpenOption.READ),
          new Segment(start, length, -1), file);
    } catch (IOException e) {
      throw new ShardBuildException("cannot read sorted run file " + file + ": " + e
          + "; check that the run directory is shared by every worker and was not cleaned "
          + "up while the job ran", true, e);
    }
  }

  /**
   * Writes a sorted cursor's records to {@code file} in this class's record layout (one
   * segment) and closes the cursor.
   */
  static Segment writeCursor(RecordCursor sorted, Path file) {
    long pos = 0;
    long records = 0;
    byte[] header = new byte[8];
    try (sorted; OutputStream out = new BufferedOutputStream(Files.newOutputStream(file),
        IO_BUFFER)) {
      while (sorted.next()) {
        byte[] k = sorted.key();
        byte[] v = sorted.value();
        putInt(header, 0, k.length);
        putInt(header, 4, v.length);
        out.write(header);
        out.write(k);
        out.write(v);
        pos += 8L + k.length + v.length;
        records++;
      }
    } catch (IOException e) {
      throw new ShardBuildException("cannot write merge spill file " + file + ": " + e
          + "; check free space and permissions of the temp directory", true, e);
    }
    return new Segment(0, pos, records);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover temp file is harmless; the temp directory is removed with the build.
    }
  }

  /**
   * Reads a segment with positional reads into one heap buffer and parses records in place:
   * no stream layers, no per-int calls, one allocation per key and value.
   */
  static final class SegmentCursor implements RecordCursor {
    private final FileChannel ch;
    private final Path file;
    private final ByteBuffer buf = ByteBuffer.allocate(IO_BUFFER);
    private long filePos;
    private final long end;
    private byte[] key;
    private byte[] value;

    SegmentCursor(FileChannel ch, Segment s, Path file) {
      this.ch = ch;
      this.file = file;
      this.filePos = s.start();
      this.end = s.start() + s.length();
      buf.limit(0);
    }

    @Override
    public boolean next() {
      try {
        if (!ensure(8)) {
          return false;
        }
        int kl = buf.getInt();
        int vl = buf.getInt();
        key = new byte[kl];
        value = new byte[vl];
        readFully(key);
        readFully(value);
        return true;
      } catch (IOException e) {
        throw new ShardBuildException("cannot read sort spill file " + file + ": " + e
          + "; check free space and permissions of the temp directory", true, e);
      }
    }

    private void readFully(byte[] dst) throws IOException {
      int done = 0;
      while (done < dst.length) {
        if (!buf.hasRemaining() && !ensure(1)) {
          throw new IOException("spill segment ends inside a record");
        }
        int n = Math.min(buf.remaining(), dst.length - done);
        buf.get(dst, done, n);
        done += n;
      }
    }

    /** Makes at least {@code n} bytes available; false at the clean end of the segment. */
    private boolean ensure(int n) throws IOException {
      if (buf.remaining() >= n) {
        return true;
      }
      buf.compact();
      while (buf.position() < n && filePos < end) {
        int want = (int) Math.min(buf.remaining(), end - filePos);
        ByteBuffer slice = buf.slice(buf.position(), want);
        int got = ch.read(slice, filePos);
        if (got < 0) {
          break;
        }
        buf.position(buf.position() + got);
        filePos += got;
      }
      buf.flip();
      if (buf.remaining() == 0) {
        return false;
      }
      if (buf.remaining() < n) {
        throw new IOException("spill segment ends inside a record header");
      }
      return true;
    }

    @Override
    public byte[] key() {
      return key;
    }

    @Override
    public byte[] value() {
      return value;
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        // read-only channel; nothing to lose
      }
    }
  }
}
