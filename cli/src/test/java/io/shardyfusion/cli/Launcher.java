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

  static CliRun run(Path tmp, Map<String, String> extraEnv, String stdin, String... args)
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
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("bin/shardy finished").isTrue();
    return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
