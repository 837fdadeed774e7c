package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import picocli.CommandLine.Command;

/**
 * {@code refresh}: switch the open reader to what {@code _CURRENT} names now. Useful in the REPL
 * and exec scripts, where one reader serves every line.
 */
@Command(name = "refresh", mixinStandardHelpOptions = true,
    description = "Reload the snapshot if _CURRENT changed (REPL and exec: the open reader).",
    footer = {"", "A pinned session (--ref/--offset) never changes: 'changed' is false.",
        "", "Example (REPL):",
        "  shardy> get 1", "  shardy> refresh", "  shardy> get 1"})
final class RefreshCommand extends OpCommand {

  @Override
  public Result run(Session session) {
    boolean opened = !session.readerOpen();
    ShardedReader reader = session.reader();
    // A reader opened just now already serves the current snapshot.
    boolean changed = !opened && reader.refresh();
    SnapshotInfo info = reader.snapshotInfo();
    return Result.record(fields("changed", changed, "run_id", info.runId(), "manifest_ref",
        info.manifestRef()), (changed ? "Refreshed: now serving " : "Unchanged: serving ")
        + info.runId() + " (" + info.manifestRef() + ")");
  }
}
