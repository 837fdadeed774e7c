package io.shardyfusion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Flink session cluster on loopback: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}, with its REST endpoint on {@link #port()}) and
 * one TaskManager ({@code TaskManagerRunner}) with two slots, each its own JVM on the engine
 * classpath of {@link EngineJvm} (Flink's jars only: a job brings the rest in its jar). What
 * Flink's {@code bin/} scripts would compute is in the generated {@link #confDir()}, which
 * {@code flink run} ({@link #submitCommand}) reads too.
 *
 * <pre>{@code
 * try (FlinkSessionCluster flink = FlinkSessionCluster.start()) {
 *   EngineJvm.run("submit", flink.submitCommand(jobJar, mainClass, args), ...);
 * }
 * }</pre>
 */
public final class FlinkSessionCluster extends EngineCluster {
  private final int rpcPort;

  private FlinkSessionCluster(int restPort) {
    super("Flink session cluster", restPort, clusterDirectory("flink", restPort));
    this.rpcPort = freeLoopbackPort();
  }

  /** Starts JobManager and TaskManager on free loopback ports; the caller must close it. */
  public static FlinkSessionCluster start() {
    return startOnFreePort(FlinkSessionCluster::new);
  }

  /** The configuration directory (flink-conf.yaml): FLINK_CONF_DIR for the CLI. */
  public Path confDir() {
    return dir().resolve("conf");
  }

  /** The REST endpoint, {@code 127.0.0.1:<port>} ({@code flink run -m}). */
  public String restAddress() {
    return "127.0.0.1:" + port();
  }

  /**
   * {@code flink run -c main jar args} through Flink's own CLI entry point
   * ({@code org.apache.flink.client.cli.CliFrontend}); run it with {@link #submitEnvironment()}.
   */
  public List<String> submitCommand(Path jobJar, String mainClass, List<String> args) {
    List<String> cli = new ArrayList<>(List.of("run", "-m", restAddress(), "-p", "2", "-c",
        mainClass, jobJar.toString()));
    cli.addAll(args);
    return EngineJvm.javaCommand(List.of("-Xmx512m"), classpath(),
        "org.apache.flink.client.cli.CliFrontend", cli);
  }

  /** The CLI's environment: where its configuration is. */
  public Map<String, String> submitEnvironment() {
    return Map.of("FLINK_CONF_DIR", confDir().toString());
  }

  @Override
  protected void launch() {
    try {
      Files.createDirectories(confDir());
      Files.writeString(confDir().resolve("flink-conf.yaml"), String.join("\n",
          "jobmanager.rpc.address: 127.0.0.1",
          "jobmanager.rpc.port: " + rpcPort,
          "jobmanager.bind-host: 127.0.0.1",
          "rest.address: 127.0.0.1",
          "rest.bind-address: 127.0.0.1",
          "rest.port: " + port(),
          "taskmanager.host: 127.0.0.1",
          "taskmanager.bind-host: 127.0.0.1",
          "taskmanager.numberOfTaskSlots: 2",
          "parallelism.default: 2",
          "jobmanager.memory.process.size: 768m",
          // Flink's bin/ scripts compute these (BashJavaUtils) and pass them as -D; started
          // directly, TaskManagerRunner needs each set, consistent with its -Xmx below.
          "taskmanager.cpu.cores: 2",
          "taskmanager.memory.framework.heap.size: 128m",
          "taskmanager.memory.task.heap.size: 640m",
          "taskmanager.memory.framework.off-heap.size: 128m",
          "taskmanager.memory.task.off-heap.size: 0m",
          "taskmanager.memory.network.min: 64m",
          "taskmanager.memory.network.max: 64m",
          "taskmanager.memory.managed.size: 128m",
          "taskmanager.memory.jvm-metaspace.size: 256m",
          "taskmanager.memory.jvm-overhead.min: 192m",
          "taskmanager.memory.jvm-overhead.max: 192m",
          "web.tmpdir: " + dir().resolve("web"),
          "io.tmp.dirs: " + dir().resolve("io"),
          "blob.storage.directory: " + dir().resolve("blobs"),
          ""));
      List<String> conf = List.of("--configDir", confDir().toString());
      startCoordinator("jobmanager", List.of("-Xmx512m"), classpath(),
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", conf);
      startWorker("taskmanager", List.of("-Xmx768m", "-XX:MaxDirectMemorySize=256m"),
          classpath(), "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", conf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String classpath() {
    return String.join(java.io.File.pathSeparator, EngineJvm.clusterClasspath("flink"));
  }

  /** Ready once the REST endpoint reports the TaskManager's two slots. */
  @Override
  protected boolean probe() throws Exception {
    return httpGet("http://" + restAddress() + "/overview").contains("\"slots-total\":2");
  }

  /** The jobs the cluster lists, as the REST endpoint's JSON ({@code /jobs/overview}). */
  public String jobsOverview() throws IOException, InterruptedException {
    return httpGet("http://" + restAddress() + "/jobs/overview");
  }

  /** The JobManager's log (the TaskManager's is beside it). */
  @Override
  public Path logFile() {
    return dir().resolve("jobmanager.log");
  }

  @Override
  protected String address() {
    return "http://" + restAddress();
  }
}
