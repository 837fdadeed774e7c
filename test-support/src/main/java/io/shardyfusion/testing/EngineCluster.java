package io.shardyfusion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a test cluster of an engine shares (a Flink session cluster, a Spark standalone
 * cluster): a coordinator and one worker, each its own JVM on the engine classpath of
 * {@link EngineJvm} with the engines' JVM flags, their logs in one directory under
 * {@code target/<kind>-logs}, a longer start deadline than one server (two JVMs on a busy
 * machine), and both stopped together. Subclasses say which main classes, arguments and
 * readiness check.
 */
abstract class EngineCluster extends ServerProcess {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Path dir;
  private Process coordinator;
  private Process worker;

  EngineCluster(String name, int port, Path dir) {
    super(name, port);
    this.dir = dir;
  }

  /** A fresh log directory {@code target/<kind>-logs/cluster-<port>}. */
  static Path clusterDirectory(String kind, int port) {
    try {
      return Files.createDirectories(logDirectory(kind).resolve("cluster-" + port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the cluster's logs and files are. */
  protected final Path dir() {
    return dir;
  }

  /** Environment variables of the cluster's JVMs; none by default. */
  protected Map<String, String> processEnvironment() {
    return Map.of();
  }

  /** Starts the coordinator ({@code name}.log in {@link #dir()}). */
  protected final void startCoordinator(String name, List<String> jvm, String classpath,
      String main, List<String> args) throws IOException {
    coordinator = startJvm(name, jvm, classpath, main, args);
  }

  /** Starts the worker ({@code name}.log in {@link #dir()}). */
  protected final void startWorker(String name, List<String> jvm, String classpath,
      String main, List<String> args) throws IOException {
    worker = startJvm(name, jvm, classpath, main, args);
  }

  private Process startJvm(String name, List<String> jvm, String classpath, String main,
      List<String> args) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(EngineJvm.javaCommand(jvm, classpath, main, args))
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().putAll(processEnvironment());
    return pb.start();
  }

  /** The body of a GET of one of the cluster's HTTP endpoints (status pages, REST). */
  protected static String httpGet(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Override
  protected Duration startDeadline() {
    return Duration.ofSeconds(120);
  }

  @Override
  protected final void checkAlive() {
    for (Process p : new Process[] {coordinator, worker}) {
      if (p != null && !p.isAlive()) {
        String log = tail(logFile());
        if (log.contains("BindException") || log.contains("Address already in use")) {
          throw portTaken();
        }
        throw new IllegalStateException("a process of the " + this + " exited with "
            + p.exitValue() + "; its logs are in " + dir + ":\n" + log);
      }
    }
  }

  @Override
  protected final void stop() {
    if (worker != null) {
      destroyTree(worker);
    }
    if (coordinator != null) {
      destroyTree(coordinator);
    }
  }
}
