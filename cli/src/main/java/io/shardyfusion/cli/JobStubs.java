package io.shardyfusion.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code build} and {@code demo} on the CLI's own classpath, where the Beam jobs are not. */
final class JobStubs {
  private JobStubs() {}

  static List<Object> all() {
    return List.of(new Build(), new Demo());
  }

  static String howToRun(String command) {
    return "'" + command + "' runs a Beam job, which is not on this classpath: run it as "
        + "bin/shardy " + command + " (after mvn -B -DskipTests -pl pipelines -am package, or "
        + "-pl runners -am for Flink and Spark); 'bin/shardy " + command + " --help' lists its "
        + "options";
  }

  @Command(name = "build", description = "Build a sharded snapshot from JSONL, CSV, Parquet or "
      + "Avro files with a Beam job and publish it (bin/shardy build --help).")
  static final class Build implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new UsageException(howToRun("build"));
    }
  }

  @Command(name = "demo", description = "Build a snapshot from examples/data/users.jsonl with "
      + "the Beam job, read it back and check it (bin/shardy demo --help).")
  static final class Demo implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new UsageException(howToRun("demo"));
    }
  }
}
