package io.shardyfusion.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the CLI reads from its surroundings: streams, environment, home directory and whether a
 * person is at a terminal. Tests pass their own to run commands in-process.
 *
 * @param interactive true when stdin and stdout are a terminal: prompts, progress bars and the
 *     human output formats are used only then
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err,
    Map<String, String> env, Path home, boolean interactive) {

  /** The real process: System streams, the environment, {@code user.home}. */
  public static CliContext system() {
    // System.console() is non-null only when both stdin and stdout are a terminal.
    return new CliContext(System.in, System.out, System.err, System.getenv(),
        Path.of(System.getProperty("user.home")), System.console() != null);
  }

  String env(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v;
  }
}
