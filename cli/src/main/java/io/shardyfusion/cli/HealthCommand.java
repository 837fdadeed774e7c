package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.reader.ReaderHealth;
import io.shardyfusion.reader.ShardedReader;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shardy health}: the reader's health, with the Python CLI's exit codes (0 healthy, 1
 * degraded, 2 unhealthy) and its JSON fields ({@code status}, {@code manifest_ref},
 * {@code manifest_age_seconds}, {@code num_shards}, {@code is_closed}) plus {@code run_id} and
 * {@code reasons}.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = "Open the snapshot and report health: healthy, degraded (older than "
        + "--max-staleness, or a refresh failed) or unhealthy (cannot be served).",
    footer = {"", "Exit codes (as the Python CLI): 0 healthy, 1 degraded, 2 unhealthy (the "
        + "snapshot cannot be read: the reason is printed too).",
        "Without --max-staleness the age is reported but never makes the snapshot degraded "
            + "(as the Python CLI without --staleness-threshold).",
        "Fields: status, manifest_ref, manifest_age_seconds, num_shards, is_closed (as the "
            + "Python CLI), run_id and reasons (a JVM extension: why it is not healthy).",
        "", "Examples:",
        "  shardy health",
        "  shardy health --max-staleness 2h || alert",
        "  shardy --output-format json health --staleness-threshold 7200"})
final class HealthCommand extends OpCommand {
  @Option(names = {"--max-staleness", "--staleness-threshold"}, paramLabel = "AGE",
      description = "How old the snapshot (its manifest's created_at) may be before it is "
          + "degraded: seconds (7200, 0.5; the Python CLI's --staleness-threshold) or "
          + "30s/15m/2h/7d.")
  String maxStaleness;

  @Override
  public Result run(Session session) {
    Duration limit = maxStaleness == null ? ChronoUnit.FOREVER.getDuration()
        : parseAge(maxStaleness);
    ReaderHealth health;
    String ref = null;
    Integer shards = null;
    try {
      ShardedReader reader = session.reader();
      health = reader.health(limit);
      ref = reader.snapshotInfo().manifestRef();
      shards = reader.manifest().shards().size();
    } catch (UsageException e) {
      throw e;
    } catch (RuntimeException e) {
      String reason = ShardyCli.message(e);
      session.context().err().println("shardy: error: " + reason);
      health = new ReaderHealth(ReaderHealth.Status.UNHEALTHY, null, null, null, null,
          List.of(reason));
    }
    String status = health.status().name().toLowerCase(Locale.ROOT);
    Double age = health.snapshotAge() == null ? null
        : Math.round(health.snapshotAge().toMillis() / 100.0) / 10.0;
    boolean closed = health.status() == ReaderHealth.Status.UNHEALTHY && ref != null;
    Map<String, Object> row = fields("status", status, "manifest_ref", ref,
        "manifest_age_seconds", age, "num_shards", shards, "is_closed", closed,
        "run_id", health.runId(), "reasons", new ArrayList<>(health.reasons()));
    List<String> parts = new ArrayList<>(List.of("status=" + status));
    if (age != null) {
      parts.add("manifest_age=" + age + "s");
    }
    if (shards != null) {
      parts.add("shards=" + shards);
    }
    health.reasons().forEach(r -> parts.add("reason: " + r));
    int code = switch (health.status()) {
      case HEALTHY -> 0;
      case DEGRADED -> 1;
      case UNHEALTHY -> 2;
    };
    return Result.record(row, String.join("  ", parts)).withExitCode(code);
  }

  /** Seconds (decimals allowed) or a number with s, m, h or d. */
  static Duration parseAge(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    long unit = 1000;
    if (!t.isEmpty() && "smhd".indexOf(t.charAt(t.length() - 1)) >= 0) {
      unit = switch (t.charAt(t.length() - 1)) {
        case 'm' -> 60_000;
        case 'h' -> 3_600_000;
        case 'd' -> 86_400_000;
        default -> 1000;
      };
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t);
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(Math.round(v * unit));
    } catch (NumberFormatException e) {
      throw new UsageException("--max-staleness '" + text + "' is not an age: give seconds "
          + "(7200) or 30s, 15m, 2h, 7d");
    }
  }
}
