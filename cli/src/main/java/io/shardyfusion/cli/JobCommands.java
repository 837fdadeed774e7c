package io.shardyfusion.cli;

import java.util.List;

/**
 * Subcommands of {@code shardy} that live on a larger classpath than the CLI's: the Beam jobs
 * {@code build} and {@code demo} (pipelines module). {@link ShardyCli} finds them with
 * {@link java.util.ServiceLoader} (a {@code META-INF/services/io.shardyfusion.cli.JobCommands}
 * entry), so one picocli front end, with one set of shared options, serves the read commands
 * on the CLI's small classpath and the jobs on the pipelines or runners classpath. Without a
 * provider, {@code build} and {@code demo} are placeholders that say how to run them.
 */
public interface JobCommands {
  /** picocli command objects (annotated with {@code @Command}); a new list on each call. */
  List<Object> commands();
}
