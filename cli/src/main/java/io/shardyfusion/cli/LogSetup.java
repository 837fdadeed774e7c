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
import org.slf4j.Logger;

/**
 * bin/shardy's logging: Logback on stderr, as text (default) or one JSON object per line
 * ({@code --log-format=json} or {@code SHARDY_LOG_FORMAT=json}, Logback's {@link JsonEncoder}:
 * level, logger, thread, the formatted message, the MDC ({@code run_id}, {@code shard_id}) and
 * SLF4J key/value pairs ({@code run_id}, {@code manifest_ref})). Level warn, info with
 * {@code -v}, or {@code SHARDY_LOG_LEVEL} (trace, debug, info, warn, error).
 *
 * <p>{@link LogOptions#prepare} runs first in {@code main}, before anything logs, and records
 * the choice in system properties; Logback then finds this class through its {@link
 * Configurator} service. {@code -Dlogback.configurationFile=...} still wins. On the runners
 * classpath (Spark's log4j2 is the binding there, Logback is absent, and so this class is never
 * loaded) the same choice selects {@code log4j2-json.properties}.
 *
 * <p>Libraries that log request headers at debug (the Apache HTTP client's wire and header
 * logs carry the S3 {@code Authorization} header) stay at warn whatever the level: secrets
 * never reach the log.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
  private static final List<String> QUIET = List.of("org.apache.http.wire",
      "org.apache.http.headers", "software.amazon.awssdk.request",
      "software.amazon.awssdk.auth", "software.amazon.awssdk.http");
  static final String TEXT_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level %logger{36} [%thread]%replace( %mdc){' $', ''} - %msg"
          + "%replace( %kvp{NONE}){' $', ''}%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    boolean json = "json".equals(System.getProperty(LogOptions.FORMAT_PROPERTY));
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("stderr");
    console.setTarget("System.err");
    console.setEncoder(json ? jsonEncoder(context) : textEncoder(context));
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getProperty(LogOptions.LEVEL_PROPERTY, "warn"),
        Level.WARN));
    root.addAppender(console);
    for (String name : QUIET) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    // shardy serve logs its refresh events and start/stop at info even without -v (a finer
    // root level, debug say, applies to it as to everything).
    if (root.getLevel().isGreaterOrEqual(Level.WARN)) {
      context.getLogger("io.shardyfusion.serve").setLevel(Level.INFO);
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
