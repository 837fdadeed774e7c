package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code bin/shardy} as a subprocess: its own JVM and the classpath the build
 * wrote, a temporary {@code HOME}, and no inherited {@code AWS_*} or {@code SHARDY_*} settings.
 */
final class Launcher {
  private Launcher() {}

  /** The repository root: the first directory above the test's that has bin/shardy. */
  static Path repoRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (!Files.isRegularFile(dir.resolve("bin/shardy"))) {
      dir = dir.getParent();
      assertThat(dir).as("bin/shardy above the test's directory").isNotNull();
    }
    return dir;
  }

  /** A launched bin/shardy that keeps running (serve): its process and output files. */
  record Started(Process process, Path out, Path err) {}

  /** Starts {@code bin/shardy args...} without waiting for it (stdin: /dev/null). */
  static Started start(Path tmp, Map<String, String> extraEnv, String... args)
      throws Exception {
    ProcessBuilder pb = builder(tmp, extraEnv, args);
    Path out = pb.redirectOutput().file().toPath();
    Path err = pb.redirectError().file().toPath();
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new Started(pb.start(), out, err);
  }

  static CliRun run(Path tmp, Map<String, String> extraEnv, String stdin, String... args)
      throws Exception {
    ProcessBuilder pb = builder(tmp, extraEnv, args);
    Path out = pb.redirectOutput().file().toPath();
    Path err = pb.redirectError().file().toPath();
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("bin/shardy finished").isTrue();
    return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static ProcessBuilder builder(Path tmp, Map<String, String> extraEnv, String... args)
      throws Exception {
    Path root = repoRoot();
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/shardy").toString()));
    command.addAll(List.of(args));
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("SHARDY_")
        || k.startsWith("PG"));
    env.put("HOME", home.toString());
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.putAll(extraEnv);
    return pb;
  }
}
