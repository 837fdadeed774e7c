package io.shardyfusion.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/shardy-bench write|read}: prints figures beside the raw RocksDB limits. */
@Command(name = "shardy-bench", mixinStandardHelpOptions = true,
    subcommands = {WriteBench.class, ReadBench.class, CostBench.class, OpsBench.class,
        ServeBench.class, SoakBench.class},
    description = "Benchmarks that print figures next to RocksDB's raw limits, measured in "
        + "the same run.")
public final class Bench implements Runnable {
  public static void main(String[] args) {
    // Undertow (serve) logs through jboss-logging: to SLF4J (warnings only), not JUL.
    System.setProperty("org.jboss.logging.provider", "slf4j");
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
