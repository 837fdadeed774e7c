package io.shardyfusion.writer.publish;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Fresh run and attempt ids: sortable by time, unique without coordination. */
public final class RunIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private RunIds() {}

  /** e.g. {@code 20261124T193300Z-3f9a2c1b}. */
  public static String newRunId(Instant now) {
    return STAMP.format(now) + "-" + randomHex(4);
  }

  /** A random attempt id; two attempts at the same shard never share a directory. */
  public static String newAttemptId() {
    return randomHex(8);
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
