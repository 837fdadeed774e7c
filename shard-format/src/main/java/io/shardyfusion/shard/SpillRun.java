package io.shardyfusion.shard;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
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

  record Segment(long start, long length, long records) {}

  private final Path file;
  private final Map<Integer, Segment> segments;

  private SpillRun(Path file, Map<Integer, Segment> segments) {
    this.file = file;
    this.segments = segments;
  }

  /** Writes a sorted buffer's records to {@code file}. */
  static SpillRun write(SortBuffer sorted, Path file) {
    Map<Integer, Segment> index = new TreeMap<>();
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), IO_BUFFER)) {
      byte[] arena = sorted.arena();
      long pos = 0;
      int i = 0;
      int n = sorted.size();
      while (i < n) {
        int shardId = sorted.shardAt(i);
        long start = pos;
        int first = i;
        for (; i < n && sorted.shardAt(i) == shardId; i++) {
          int len = sorted.recordLength(i);
          out.write(arena, sorted.recordOffset(i), len);
          pos += len;
        }
        index.put(shardId, new Segment(start, pos - start, i - first));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write sort spill file " + file, e);
    }
    return new SpillRun(file, index);
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
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(s.start());
      InputStream bounded = new BoundedInputStream(Channels.newInputStream(ch), s.length());
      return new StreamCursor(new DataInputStream(new BufferedInputStream(bounded, IO_BUFFER)),
          file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read sort spill file " + file, e);
    }
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover temp file is harmless; the temp directory is removed with the build.
    }
  }

  private static final class StreamCursor implements RecordCursor {
    private final DataInputStream in;
    private final Path file;
    private byte[] key;
    private byte[] value;

    StreamCursor(DataInputStream in, Path file) {
      this.in = in;
      this.file = file;
    }

    @Override
    public boolean next() {
      try {
        int kl;
        try {
          kl = in.readInt();
        } catch (EOFException end) {
          return false;
        }
        int vl = in.readInt();
        key = new byte[kl];
        value = new byte[vl];
        in.readFully(key);
        in.readFully(value);
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read sort spill file " + file, e);
      }
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
        in.close();
      } catch (IOException e) {
        // read-only stream; nothing to lose
      }
    }
  }

  /** Stops reading at the end of a segment. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
