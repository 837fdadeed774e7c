package io.shardyfusion.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/** Base of the subcommands that are {@link Op}s: run, print the result, exit with its code. */
abstract class OpCommand implements Callable<Integer>, Op {
  @ParentCommand
  ShardyCli root;

  @Override
  public Integer call() {
    Session session = root.session();
    Result result = run(session);
    session.output().print(result);
    return result.exitCode();
  }
}
