package io.shardyfusion.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * One byte range of a file as a request body source. Streams the range from disk, so a part
 * costs no heap however large it is; every {@link #newStream()} starts over (the SDK calls it
 * again on retry) and closes the previous stream.
 */
final class FileSlice implements ContentStreamProvider, AutoCloseable {
  private final Path file;
  private final long offset;
  private final long length;
  private InputStream current;

  FileSlice(Path file, long offset, long length) {
    this.file = file;
    this.offset = offset;
    this.length = length;
  }

  long length() {
    return length;
  }

  @Override
  public synchronized InputStream newStream() {
    close();
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(offset);
      current = new Bounded(Channels.newInputStream(ch), length);
      return current;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public synchronized void close() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException e) {
        // Read-only file handle: nothing to lose.
      }
      current = null;
    }
  }

  /** Ends the stream after {@code remaining} bytes. */
  private static final class Bounded extends FilterInputStream {
    private long remaining;

    Bounded(InputStream in, long remaining) {
      super(in);
      this.remaining = remaining;
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
    public int read(byte[] buf, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(Math.min(n, remaining));
      remaining -= s;
      return s;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
