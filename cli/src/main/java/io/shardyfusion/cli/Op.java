package io.shardyfusion.cli;

/**
 * A command that produces a {@link Result}: the same code serves the command line, {@code exec}
 * scripts and the REPL, which only differ in how results are printed.
 */
public interface Op {

  /**
   * Runs the command on the session's snapshot.
   *
   * @throws UsageException for bad input (exit 2); any other exception is exit 1
   */
  Result run(Session session);
}
