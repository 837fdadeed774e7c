package io.shardyfusion.backend.sqlite;

import io.shardyfusion.errors.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The facts a reader takes from a SQLite file's 100-byte header before trusting it: the magic,
 * the page size (bytes 16-17, 1 meaning 65536; never from the manifest), and that the file
 * holds exactly the pages the header counts (a truncated file, or one whose length contradicts
 * its page size, is refused before SQLite would fail on a lookup later).
 */
record SqliteFileHeader(int pageSize, long pageCount, long fileBytes) {
  private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  static SqliteFileHeader read(Path file) {
    ByteBuffer h = ByteBuffer.allocate(100);
    long size;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      size = ch.size();
      while (h.hasRemaining() && ch.read(h) > 0) {
        // fill the header
      }
    } catch (NoSuchFileException e) {
      throw invalid(file, "has no " + SqliteBackend.FILE_NAME);
    } catch (IOException e) {
      throw new StorageException("cannot read SQLite shard " + file + ": " + e, true, e);
    }
    if (h.position() < 100 || !Arrays.equals(Arrays.copyOf(h.array(), 16), MAGIC)) {
      throw invalid(file, "is not a SQLite database (no 'SQLite format 3' header)");
    }
    int raw = ((h.get(16) & 0xff) << 8) | (h.get(17) & 0xff);
    int pageSize = raw == 1 ? 65536 : raw;
    if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
      throw invalid(file, "has page size " + raw + " in its header, which SQLite never writes");
    }
    if (size % pageSize != 0) {
      throw invalid(file, "is " + size + " bytes, not a whole number of its " + pageSize
          + "-byte pages: it is truncated or its header's page size is wrong");
    }
    long pages = size / pageSize;
    // The header's page count is valid when its version-valid-for number equals the change
    // counter (SQLite >= 3.7.0 keeps them so); older writers leave it stale.
    long counted = h.getInt(28) & 0xffffffffL;
    boolean countValid = h.getInt(92) == h.getInt(24);
    if (countValid && counted != pages) {
      throw invalid(file, "holds " + pages + " pages of " + pageSize + " bytes but its header "
          + "counts " + counted + ": it is truncated or was cut short in transfer");
    }
    return new SqliteFileHeader(pageSize, pages, size);
  }

  private static StorageException invalid(Path file, String problem) {
    return new StorageException("SQLite shard " + file + " " + problem + "; the snapshot cannot "
        + "be served from it: republish the snapshot (its writer produced or uploaded a damaged "
        + "shard)", false);
  }
}
