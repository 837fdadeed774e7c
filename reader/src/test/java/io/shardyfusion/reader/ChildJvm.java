package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@code main} class of the test classpath run in its own JVM, spoken to line by line: the
 * child prints protocol lines on stdout (logs go to stderr, kept in a file) and reads commands
 * on stdin. Tests wait for the line a child prints when it reaches a point, never for time;
 * {@link #kill()} is SIGKILL ({@link Process#destroyForcibly()} on Linux).
 */
final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000eof";
  /** Only external processes may be awaited with a deadline; generous for a loaded machine. */
  private static final long TIMEOUT_SECONDS = 180;

  private final String name;
  private final Process process;
  private final Path stderr;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process died: EOF below
      }
      lines.add(EOF);
    }, "child-" + name + "-stdout");
    pump.setDaemon(true);
    pump.start();
  }

  static ChildJvm start(Path dir, String name, Class<?> main, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Path err = Files.createDirectories(dir).resolve(name + ".stderr.txt");
    Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
    return new ChildJvm(name, p, err);
  }

  long pid() {
    return process.pid();
  }

  /** The next stdout line, which must start with {@code prefix}; fails if the child dies. */
  String expect(String prefix) throws Exception {
    String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (line == null || line.equals(EOF)) {
      process.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(name + " " + (line == null ? "printed nothing for "
          + TIMEOUT_SECONDS + " s" : "exited (" + (process.isAlive() ? "?" : process.exitValue())
          + ")") + " while " + prefix + " was expected; its stderr:\n" + stderrTail());
    }
    assertThat(line).as(name + " said (stderr: " + stderr + ")").startsWith(prefix);
    return line;
  }

  void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** Sends {@code command} and returns the answer line, which must start with {@code prefix}. */
  String ask(String command, String prefix) throws Exception {
    send(command);
    return expect(prefix);
  }

  /** SIGKILL, then waits for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(name + " killed by SIGKILL (128 + 9)").isEqualTo(137);
  }

  /** Waits for a normal exit and returns the code. */
  int awaitExit() throws InterruptedException {
    assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as(name + " exited").isTrue();
    return process.exitValue();
  }

  String stderrTail() {
    try {
      String s = Files.readString(stderr);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
