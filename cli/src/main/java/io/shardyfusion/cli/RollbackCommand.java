package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.ops.rollback.Rollback;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shardy rollback}: point {@code _CURRENT} at a manifest already in history. The target
 * is checked (it must load) before anything is written; on any error nothing changes.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Point _CURRENT at an earlier (or later) manifest; readers follow on their "
        + "next refresh. Prints the old and the new pointer.",
    footer = {"", "Exactly one of --ref, --run-id, --offset. Nothing is copied or deleted.",
        "Exit codes: 0 moved (or already there), 1 unknown ref/run id, offset beyond history or "
            + "store failure (nothing changed), 2 usage error.",
        "", "Examples:",
        "  shardy rollback --offset 1            # the manifest before the current one",
        "  shardy rollback --run-id 2026-01-01_nightly",
        "  shardy rollback --ref s3://bucket/users/manifests/..._run_id=r1/manifest"})
final class RollbackCommand extends OpCommand {
  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  /** Which manifest; picocli enforces exactly one. */
  static final class Target {
    @Option(names = "--ref", paramLabel = "REF", required = true,
        description = "The manifest's full URL (see 'history').")
    String ref;

    @Option(names = "--run-id", paramLabel = "ID", required = true,
        description = "The newest manifest of this run.")
    String runId;

    @Option(names = "--offset", paramLabel = "N", required = true,
        description = "N manifests before the current one (1 = the previous).")
    Integer offset;
  }

  @Override
  public Result run(Session session) {
    if (session.settings().pinned()) {
      throw new UsageException("the global --ref/--offset pin reads; give rollback its own: "
          + "shardy rollback --offset N");
    }
    if (target.offset != null && target.offset < 0) {
      throw new UsageException("rollback --offset must be >= 0, got " + target.offset);
    }
    Rollback.Selector selector = target.ref != null ? Rollback.Selector.ref(target.ref)
        : target.runId != null ? Rollback.Selector.runId(target.runId)
        : Rollback.Selector.offset(target.offset);
    ManifestStore store = session.target().manifests();
    CurrentPointer before = store.loadCurrent().orElse(null);
    CurrentPointer after = Rollback.rollbackTo(store, selector);
    boolean changed = before == null || !before.manifestRef().equals(after.manifestRef());
    return Result.record(fields(
        "changed", changed,
        "old_run_id", before == null ? null : before.runId(),
        "old_ref", before == null ? null : before.manifestRef(),
        "new_run_id", after.runId(),
        "new_ref", after.manifestRef()),
        (changed ? "Rolled _CURRENT from " : "_CURRENT already pointed at ")
            + (before == null ? "<none>" : before.runId() + " (" + before.manifestRef() + ")")
            + (changed ? " to " + after.runId() + " (" + after.manifestRef() + ")" : ""));
  }
}
