package io.shardyfusion.bench;

import picocli.CommandLine.Option;

/** The options every snapshot-building benchmark shares (a picocli mixin). */
final class SnapshotShape {
  @Option(names = "--num-dbs", defaultValue = "8", description = "shards (default: 8)")
  int numDbs;

  @Option(names = "--value-size", defaultValue = "100",
      description = "value bytes per row (default: 100)")
  int valueSize;
}
