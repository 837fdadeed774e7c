package io.shardyfusion.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the cluster tests need to start engine JVMs (Flink and Spark cluster processes, their
 * submit clients): the {@code java} binary, the JVM flags of the one list in the parent pom
 * ({@code runners.jvm.options}, passed by failsafe as {@value #JVM_OPTIONS_PROPERTY}), each
 * engine's classpath (a {@code classpath.txt} written by {@code jobs/<engine>-cluster-classpath},
 * named by {@code shardyfusion.<engine>.cluster.classpath}) and its job jar
 * ({@code shardyfusion.<engine>.job.jar}); engine = {@code flink} or {@code spark}.
 */
public final class EngineJvm {
  /** System property with the engines' JVM flags, space separated. */
  public static final String JVM_OPTIONS_PROPERTY = "shardyfusion.engine.jvm.options";

  /** What a finished process printed (saved under its log directory) and how long it took. */
  public record Run(int code, String out, String err, Duration wall) {}

  private EngineJvm() {}

  /** The {@code java} of the running JVM. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The engines' JVM flags (one element each). */
  public static List<String> jvmOptions() {
    return Arrays.stream(required(JVM_OPTIONS_PROPERTY).trim().split("\\s+"))
        .filter(s -> !s.isEmpty()).toList();
  }

  /** The engine's classpath entries, in order. */
  public static List<String> clusterClasspath(String engine) {
    String property = "shardyfusion." + engine + ".cluster.classpath";
    Path file = Path.of(required(property));
    try {
      return Arrays.stream(Files.readString(file, StandardCharsets.UTF_8).trim()
          .split(File.pathSeparator)).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(file + " (-D" + property + ") cannot be read; "
          + "build the jobs/*-cluster-classpath module first (mvn -B package -pl jobs/... -am)",
          e);
    }
  }

  /** The job jar; it must exist (the module's package phase shades it before failsafe). */
  public static Path jobJar(String engine) {
    Path jar = Path.of(required("shardyfusion." + engine + ".job.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("job jar " + jar + " is missing: build it first "
          + "(mvn -B verify -pl jobs/cluster-tests -am)");
    }
    return jar;
  }

  /**
   * Runs {@code command} to its end (at most {@code timeout}), its output in
   * {@code logDir/<name>.out|.err}, and returns what it printed.
   */
  public static Run run(String name, List<String> command, Map<String, String> env,
      Path logDir, Duration timeout) throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File(
            "/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("SHARDY_"));
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish in " + timeout.toSeconds() + " s; "
          + "its output: " + out + ", " + err);
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err), wall);
  }

  /** A JVM command line: java, the engine flags, {@code extra}, -cp, main class, args. */
  public static List<String> javaCommand(List<String> extra, String classpath, String main,
      List<String> args) {
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmOptions());
    command.addAll(extra);
    command.addAll(List.of("-cp", classpath, main));
    command.addAll(args);
    return command;
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set; "
          + "jobs/cluster-tests' failsafe configuration sets it (run through Maven)");
    }
    return value;
  }
}
