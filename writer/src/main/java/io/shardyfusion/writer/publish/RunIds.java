package io.shardyfusion.writer.publish;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.UUID;

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

  /**
   * A fresh attempt number, in decimal: the manifest's {@code attempt} is an integer (the Python
   * system's) and its directory {@code attempt=%02d}. Tasks of distributed runners cannot know
   * how often they were retried, so the number is random, 62 bits: two attempts at one shard
   * never share a directory (a clash is a 2^-62 chance), and the winner, the smallest number,
   * depends only on the set of attempts.
   */
  public static String newAttemptId() {
    return Long.toString(RANDOM.nextLong() >>> 2);
  }

  /** A checkpoint id: 32 lowercase hex digits, as the Python system's {@code uuid4().hex}. */
  public static String newCheckpointId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
