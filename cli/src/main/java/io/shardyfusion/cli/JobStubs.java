package io.shardyfusion.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Unmatched;

/** {@code build} and {@code demo} on the CLI's own classpath, where the Beam jobs are not. */
@Command
final class JobStubs implements Callable<Integer> {
  private final String name;

  @Unmatched List<String> jobOptions;

  private JobStubs(String name) {
    this.name = name;
  }

  static List<CommandSpec> all() {
    return List.of(stub("build", "Build a sharded snapshot from JSONL, CSV, Parquet or Avro "
        + "files with a Beam job and publish it (bin/shardy build --help)."),
        stub("demo", "Build a snapshot from examples/data/users.jsonl with the Beam job, read "
            + "it back and check it (bin/shardy demo --help)."));
  }

  private static CommandSpec stub(String name, String description) {
    CommandSpec spec = CommandSpec.forAnnotatedObject(new JobStubs(name)).name(name);
    spec.usageMessage().description(description);
    return spec;
  }

  @Override
  public Integer call() {
    throw new UsageException("'" + name + "' runs a Beam job, which is not on this classpath: "
        + "run it as bin/shardy " + name + " (after mvn -B -DskipTests -pl pipelines -am "
        + "package, or -pl runners -am for Flink and Spark); 'bin/shardy " + name + " --help' "
        + "lists its options");
  }
}
