package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.ops.cleanup.Cleanup;
import io.shardyfusion.ops.cleanup.CleanupListener;
import io.shardyfusion.ops.cleanup.CleanupPlan;
import io.shardyfusion.ops.cleanup.CleanupReport;
import io.shardyfusion.ops.cleanup.KeepReason;
import io.shardyfusion.ops.cleanup.ManifestDecision;
import io.shardyfusion.ops.cleanup.RetentionPolicy;
import io.shardyfusion.ops.cleanup.RunDecision;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shardy cleanup}: delete old manifests and the shard data nothing kept refers to, under
 * a retention policy. Plans first (reads only), then deletes manifests, shard objects and run
 * records; {@code --dry-run} stops after printing the plan.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = "Delete manifests beyond the retention rules, and shard data no kept manifest "
        + "references (old runs, losing attempts, failed runs). Never touches the current "
        + "manifest, --protect-ref manifests, or runs in progress (a live run lease).",
    footer = {"", "A manifest is deleted only when every given rule allows it: beyond the "
        + "newest --keep-last N AND older than --older-than. Shards reused by a kept manifest "
        + "stay even when their own run's manifest goes. Rows: one per manifest and per run "
        + "(action keep or delete, with the reasons), then a total.",
        "Exit codes: 0 done (or planned, with --dry-run), 1 store failure or _CURRENT moved "
            + "during the cleanup (nothing deleted; run it again), 2 usage error.",
        "", "Examples:",
        "  shardy cleanup --keep-last 5 --dry-run",
        "  shardy cleanup --older-than 7d",
        "  shardy cleanup --keep-last 3 --older-than 30d --protect-ref "
            + "s3://bucket/users/manifests/..._run_id=r1/manifest"})
final class CleanupCommand extends OpCommand {
  private static final Pattern AGE = Pattern.compile("(\\d+)([smhdw])");

  @Option(names = "--keep-last", paramLabel = "N",
      description = "Keep the newest N manifests (N >= 1).")
  Integer keepLast;

  @Option(names = "--older-than", paramLabel = "AGE",
      description = "Only delete manifests older than this: 30m, 12h, 7d, 2w or ISO-8601 "
          + "(P7D).")
  String olderThan;

  @Option(names = "--protect-ref", paramLabel = "REF",
      description = "Never delete this manifest (e.g. one a reader is pinned to); repeatable.")
  List<String> protectRefs = new ArrayList<>();

  @Option(names = "--orphan-grace", paramLabel = "AGE",
      description = "Shard data of a run without a run record is kept while younger than "
          + "this (default: 1h).")
  String orphanGrace;

  @Option(names = "--dry-run", description = "Print what would be deleted; delete nothing.")
  boolean dryRun;

  @Override
  public Result run(Session session) {
    if (session.settings().pinned()) {
      throw new UsageException("--ref/--offset pin reads; protect a manifest from cleanup "
          + "with --protect-ref instead");
    }
    RetentionPolicy policy = policy();
    SnapshotTarget target = session.target();
    try (ObjectStore objects = target.openObjectStore()) {
      Cleanup cleanup = new Cleanup(target.manifests(), objects, Clock.systemUTC());
      CleanupPlan plan;
      try {
        plan = cleanup.plan(policy);
      } catch (ConfigValidationException e) {
        // The policy names a manifest history does not have (a mistyped --protect-ref).
        throw new UsageException(e.getMessage(), e);
      }
      if (dryRun) {
        return render(plan, null);
      }
      CleanupListener listener = session.context().progress() && plan.objectsToDelete() > 0
          ? new Bar(session.context().err()) : CleanupListener.NONE;
      CleanupReport report;
      try {
        report = cleanup.execute(plan, listener);
      } finally {
        if (listener instanceof Bar bar) {
          bar.close();
        }
      }
      return render(plan, report);
    }
  }

  private RetentionPolicy policy() {
    if (keepLast == null && olderThan == null) {
      throw new UsageException("cleanup needs a retention rule: --keep-last N and/or "
          + "--older-than AGE (add --dry-run to see what would go)");
    }
    if (keepLast != null && keepLast < 1) {
      throw new UsageException("--keep-last must be >= 1 (the current manifest is always "
          + "kept anyway), got " + keepLast);
    }
    RetentionPolicy.Builder b = RetentionPolicy.builder();
    if (keepLast != null) {
      b.keepLast(keepLast);
    }
    if (olderThan != null) {
      b.olderThan(parseAge("--older-than", olderThan));
    }
    if (orphanGrace != null) {
      b.orphanGrace(parseAge("--orphan-grace", orphanGrace));
    }
    b.protectRefs(protectRefs);
    try {
      return b.build();
    } catch (ConfigValidationException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  /** {@code 30m}, {@code 12h}, {@code 7d}, {@code 2w}, or ISO-8601 ({@code P7D}, {@code PT1H}). */
  static Duration parseAge(String option, String text) {
    Matcher m = AGE.matcher(text.trim().toLowerCase(java.util.Locale.ROOT));
    Duration d;
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        d = switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofDays(Math.multiplyExact(7, n));
        };
      } catch (NumberFormatException | ArithmeticException e) {
        throw new UsageException(option + " '" + text + "' is too large");
      }
    } else {
      try {
        d = Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (java.time.format.DateTimeParseException e) {
        throw new UsageException(option + " '" + text + "' is not an age: use 30m, 12h, 7d, 2w "
            + "or ISO-8601 like P7D");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new UsageException(option + " must be positive, got '" + text + "'");
    }
    return d;
  }

  private Result render(CleanupPlan plan, CleanupReport report) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ManifestDecision m : plan.manifests()) {
      rows.add(fields("kind", "manifest", "id", m.ref(), "run_id", m.runId(),
          "action", m.delete() ? "delete" : "keep", "reasons", reasons(m.keptBecause()),
          "objects", null, "bytes", null));
    }
    for (RunDecision r : plan.runs()) {
      rows.add(fields("kind", "run", "id", r.runId(), "run_id", r.runId(),
          "action", r.deletesEverything() ? "delete" : r.deleteObjects().isEmpty()
              && !r.deleteRecord() ? "keep" : "trim",
          "reasons", reasons(r.keptBecause()), "objects", r.deleteObjects().size(),
          "bytes", r.deleteBytes()));
    }
    String verb = report == null ? "would delete" : "deleted";
    long manifests = report == null ? plan.manifestsToDelete().size()
        : report.manifestsDeleted();
    long objects = report == null ? plan.objectsToDelete() : report.objectsDeleted();
    long bytes = report == null ? plan.bytesToDelete() : report.bytesDeleted();
    rows.add(fields("kind", "total", "id", dryRun ? "dry-run" : "executed", "run_id", null,
        "action", verb, "reasons", "", "objects", objects, "bytes", bytes));
    List<String> text = new ArrayList<>(List.of(plan.render().split("\n")));
    text.add((report == null ? "Dry run: would delete " : "Deleted ") + manifests
        + " manifests and " + objects + " objects (" + bytes + " bytes)"
        + (report == null ? "; nothing was changed." : "."));
    return Result.rows(rows, text);
  }

  private static String reasons(Set<KeepReason> reasons) {
    return reasons.stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT))
        .collect(Collectors.joining(","));
  }

  /** A progress bar on stderr over the shard objects being deleted (terminal only). */
  private static final class Bar implements CleanupListener {
    private final java.io.PrintStream err;
    private ProgressBar bar;

    Bar(java.io.PrintStream err) {
      this.err = err;
    }

    @Override
    public void objectsDeleted(long done, long total, long bytesDone, long bytesTotal) {
      if (bar == null) {
        bar = new ProgressBarBuilder().setTaskName("cleanup").setInitialMax(total)
            .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(100)
            .build();
      }
      bar.stepTo(done);
      bar.setExtraMessage(String.format("%.1f MiB", bytesDone / 1048576.0));
    }

    void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }
}
