package io.shardyfusion.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;

/**
 * bin/shardy's logging: Logback on stderr, as text (default) or one JSON object per line
 * ({@code --log-format=json} or {@code SHARDY_LOG_FORMAT=json}, Logback's {@link JsonEncoder}:
 * level, logger, thread, the formatted message, the MDC ({@code run_id}, {@code shard_id}) and
 * SLF4J key/value pairs ({@code run_id}, {@code manifest_ref})). Level warn, info with
 * {@code -v}, or {@code SHARDY_LOG_LEVEL} (trace, debug, info, warn, error).
 *
 * <p>{@link #prepare} runs first in {@code main}, before anything logs, and records the choice
 * in system properties; Logback then finds this class through its {@link Configurator}
 * service. {@code -Dlogback.configurationFile=...} still wins. On the runners classpath
 * (Spark's log4j2 is the binding there, Logback is absent) the same choice selects
 * {@code log4j2-json.properties}.
 *
 * <p>Libraries that log request headers at debug (the Apache HTTP client's wire and header
 * logs carry the S3 {@code Authorization} header) stay at warn whatever the level: secrets
 * never reach the log.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
  static final String FORMAT_PROPERTY = "shardy.log.format";
  static final String LEVEL_PROPERTY = "shardy.log.level";
  static final String FORMAT_ENV = "SHARDY_LOG_FORMAT";
  static final String LEVEL_ENV = "SHARDY_LOG_LEVEL";
  static final List<String> FORMATS = List.of("text", "json");
  private static final List<String> QUIET = List.of("org.apache.http.wire",
      "org.apache.http.headers", "software.amazon.awssdk.request",
      "software.amazon.awssdk.auth", "software.amazon.awssdk.http");
  static final String TEXT_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level %logger{36} [%thread]%replace( %mdc){' $', ''} - %msg"
          + "%replace( %kvp{NONE}){' $', ''}%n";

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

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    boolean json = "json".equals(System.getProperty(FORMAT_PROPERTY));
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("stderr");
    console.setTarget("System.err");
    console.setEncoder(json ? jsonEncoder(context) : textEncoder(context));
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getProperty(LEVEL_PROPERTY, "warn"), Level.WARN));
    root.addAppender(console);
    for (String name : QUIET) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
    JsonEncoder e = new JsonEncoder();
    e.setContext(context);
    // The message as read, not its template and arguments; no logger-context noise.
    e.setWithFormattedMessage(true);
    e.setWithMessage(false);
    e.setWithArguments(false);
    e.setWithContext(false);
    e.setWithSequenceNumber(false);
    e.setWithNanoseconds(false);
    e.start();
    return e;
  }

  private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
    PatternLayoutEncoder e = new PatternLayoutEncoder();
    e.setContext(context);
    e.setPattern(TEXT_PATTERN);
    e.start();
    return e;
  }
}
