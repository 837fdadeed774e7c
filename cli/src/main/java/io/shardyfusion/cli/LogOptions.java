package io.shardyfusion.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The log format and level bin/shardy was asked for ({@code --log-format}, {@code -v},
 * {@code SHARDY_LOG_FORMAT}, {@code SHARDY_LOG_LEVEL}), recorded as system properties before the
 * first logger exists. Free of any logging backend: it runs on every classpath, the runners'
 * (log4j2) too; {@link LogSetup} applies it to Logback.
 */
final class LogOptions {
  static final String FORMAT_PROPERTY = "shardy.log.format";
  static final String LEVEL_PROPERTY = "shardy.log.level";
  static final String FORMAT_ENV = "SHARDY_LOG_FORMAT";
  static final String LEVEL_ENV = "SHARDY_LOG_LEVEL";
  static final List<String> FORMATS = List.of("text", "json");

  private LogOptions() {}

  /**
   * Reads the log format and level from the command line and environment into system
   * properties, before the first logger exists. A bad format is left to the command line
   * parser to report; logging then stays text.
   */
  static void prepare(String[] args, Map<String, String> env) {
    String format = env.getOrDefault(FORMAT_ENV, "text");
    boolean verbose = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--log-format=")) {
        format = a.substring("--log-format=".length());
      } else if (a.equals("--log-format") && i + 1 < args.length) {
        format = args[++i];
      } else if (a.equals("-v") || a.equals("--verbose")) {
        verbose = true;
      }
    }
    format = format.toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(format)) {
      format = "text";
    }
    String level = env.getOrDefault(LEVEL_ENV, verbose ? "info" : "warn");
    System.setProperty(FORMAT_PROPERTY, format);
    System.setProperty(LEVEL_PROPERTY, level);
    if (format.equals("json") && System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "log4j2-json.properties");
    }
  }
}
