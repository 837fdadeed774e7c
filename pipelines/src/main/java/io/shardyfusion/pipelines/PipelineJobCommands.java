package io.shardyfusion.pipelines;

import io.shardyfusion.cli.JobCommands;
import java.util.List;

/** {@code shardy build} and {@code shardy demo}, found by {@code ShardyCli} on this classpath. */
public final class PipelineJobCommands implements JobCommands {
  @Override
  public List<Object> commands() {
    return List.of(BuildCommand.spec(), new DemoCommand());
  }
}
