package io.shardyfusion.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code bin/shardy} launcher as a subprocess, as users run it: with the
 * classpath the launcher picks (the runners bundle once it is built), no inherited AWS or
 * SHARDY settings, and a private HOME. A test that uses it is an integration test.
 */
public final class ShardyLauncher {
  /** What a run printed and its exit code. */
  public record Run(int code, String out, String err) {}

  private ShardyLauncher() {}

  /** The repository root: the nearest directory above the working one with bin/shardy. */
  public static Path root() {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (!Files.isRegularFile(root.resolve("bin/shardy"))) {
      root = root.getParent();
    }
    return root;
  }

  /** Runs {@code bin/shardy args...} with {@code tmp} for its output files and HOME. */
  public static Run run(Path tmp, String... args) throws IOException, InterruptedException {
    return run(tmp, Map.of(), args);
  }

  /** As {@link #run(Path, String...)}, with these environment variables set too. */
  public static Run run(Path tmp, Map<String, String> extraEnv, String... args)
      throws IOException, InterruptedException {
    Path root = root();
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/shardy").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("SHARDY_"));
    env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.putAll(extraEnv);
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/shardy " + args + " did not finish in 300 s");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
