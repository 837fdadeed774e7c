package io.shardyfusion.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * CRC32C of shard files. CRC32C is hardware-accelerated in the JDK (several GB/s), is what S3
 * itself offers as a checksum, and catches the truncations and bit flips that matter here; it is
 * not a defence against tampering.
 */
public final class Checksums {
  private static final int CHUNK = 1 << 20;

  private Checksums() {}

  /** CRC32C of a file as 8 lowercase hex digits. */
  public static String crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
    }
    return hex(crc.getValue());
  }

  public static String crc32c(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return hex(crc.getValue());
  }

  private static String hex(long v) {
    return String.format("%08x", v);
  }
}
