package io.shardyfusion.runs;

import java.net.InetAddress;

/** This machine's name for writer_info; looked up once because it may be slow. */
public final class HostName {
  private static final String NAME = lookup();

  private HostName() {}

  public static String get() {
    return NAME;
  }

  private static String lookup() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
