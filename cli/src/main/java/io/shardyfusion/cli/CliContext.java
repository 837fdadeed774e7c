package io.shardyfusion.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the CLI reads from its surroundings: streams, environment, home directory and whether a
 * person is at a terminal. Tests pass their own to run commands in-process.
 *
 * @param interactive true when stdin and stdout are a terminal: the REPL prompts and the
 *     human output formats are the defaults only then
 * @param progress true when stderr is a terminal too: progress bars are drawn only then
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err,
    Map<String, String> env, Path home, boolean interactive, boolean progress) {

  /** The real process: System streams, the environment, {@code user.home}. */
  public static CliContext system() {
    // System.console() is non-null only when both stdin and stdout are a terminal.
    boolean interactive = System.console() != null;
    return new CliContext(System.in, System.out, System.err, System.getenv(),
        Path.of(System.getProperty("user.home")), interactive,
        interactive && stderrIsTerminal());
  }

  /**
   * Whether fd 2 is a terminal. Java 17 cannot ask directly; Linux tells through /proc (a
   * terminal is a /dev/pts/N or /dev/ttyN device). Elsewhere: assume not, so no bar is drawn
   * into a redirected file.
   */
  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  String env(String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v;
  }
}
