package io.shardyfusion.pipelines;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The lines of a byte range of a file: every line whose first byte lies in {@code [start, end)},
 * read whole even where it runs past {@code end}. Consecutive ranges of one file therefore give
 * each line exactly once (TextIO's rule), whatever the offsets: a range starting inside a line
 * skips to the next line, and a range ends after the line that crosses its end.
 *
 * <p>Reads the channel in 64 KiB chunks; no per-byte calls.
 */
final class LineRangeInputStream extends InputStream {
  private static final int CHUNK = 1 << 16;

  private final SeekableByteChannel ch;
  private final long end;
  private final ByteBuffer buf = ByteBuffer.allocate(CHUNK);
  private long bufStart; // file offset of buf's byte 0
  private boolean eof; // nothing more of this range
  private long stopAt = -1; // file offset just after the last byte of this range, once found

  /**
   * @param ch the file, positioned anywhere (it is repositioned)
   * @param start first byte offset of the range
   * @param end offset just past the range ({@code Long.MAX_VALUE}: to the end of the file)
   */
  LineRangeInputStream(SeekableByteChannel ch, long start, long end) throws IOException {
    this.ch = ch;
    this.end = end;
    if (start >= end) {
      eof = true;
      return;
    }
    long from = start;
    if (start > 0) {
      // A line starts at `start` only if the byte before it ends a line.
      ch.position(start - 1);
      bufStart = start - 1;
      buf.limit(0);
      from = skipPastNewline();
      if (from < 0 || from >= end) {
        eof = true;
        return;
      }
    }
    ch.position(from);
    bufStart = from;
    buf.limit(0);
  }

  /** Offset just after the first newline at or after the channel's position; -1 if none. */
  private long skipPastNewline() throws IOException {
    while (true) {
      if (!fill()) {
        return -1;
      }
      for (int i = buf.position(); i < buf.limit(); i++) {
        if (buf.get(i) == '\n') {
          return bufStart + i + 1;
        }
      }
      buf.position(buf.limit());
    }
  }

  /** Makes bytes available in buf (dropping consumed ones); false at the end of the file. */
  private boolean fill() throws IOException {
    if (buf.hasRemaining()) {
      return true;
    }
    bufStart += buf.limit();
    buf.clear();
    int n;
    do {
      n = ch.read(buf);
    } while (n == 0);
    buf.flip();
    return n > 0;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (eof || !fill()) {
      eof = true;
      return -1;
    }
    if (stopAt < 0 && end != Long.MAX_VALUE && bufStart + buf.limit() > end - 1) {
      // This chunk holds offset end-1: the range stops after the first newline at or past it.
      for (int i = (int) Math.max(buf.position(), end - 1 - bufStart); i < buf.limit(); i++) {
        if (buf.get(i) == '\n') {
          stopAt = bufStart + i + 1;
          break;
        }
      }
    }
    int available = buf.remaining();
    if (stopAt >= 0) {
      available = (int) Math.min(available, stopAt - (bufStart + buf.position()));
      if (available <= 0) {
        eof = true;
        return -1;
      }
    }
    int n = Math.min(len, available);
    buf.get(b, off, n);
    return n;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
