package io.shardyfusion.cli;

import io.shardyfusion.routing.ShardingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --routing-context} option of get, multiget and route ({@link RoutingContexts}). */
final class RoutingContextOption {
  @Option(names = "--routing-context", paramLabel = "NAME=VALUE",
      description = "A routing column for multi-column CEL sharding (repeatable, as the Python "
          + "CLI), or one JSON object of them (a JVM extension).")
  List<String> values = new ArrayList<>();

  /** The context for this snapshot's sharding, or null when none was given. */
  Map<String, Object> parse(ShardingSpec spec) {
    return RoutingContexts.parse(values, spec);
  }
}
