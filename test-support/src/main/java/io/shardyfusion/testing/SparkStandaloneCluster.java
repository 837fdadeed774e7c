package io.shardyfusion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on loopback: a master
 * ({@code org.apache.spark.deploy.master.Master} on {@link #port()}) and one worker
 * ({@code org.apache.spark.deploy.worker.Worker}, 2 cores), each its own JVM. A worker starts
 * executors as {@code java -cp $SPARK_HOME/jars/*}, so {@link #sparkHome()} is a generated
 * directory whose {@code jars/} links every jar of the engine classpath of {@link EngineJvm}
 * (Spark's jars only: a job brings the rest in its jar), as a Spark distribution's does.
 *
 * <pre>{@code
 * try (SparkStandaloneCluster spark = SparkStandaloneCluster.start()) {
 *   EngineJvm.run("submit", spark.submitCommand(jobJar, mainClass, args),
 *       spark.environment(), ...);
 * }
 * }</pre>
 */
public final class SparkStandaloneCluster extends EngineCluster {
  private final int uiPort;

  private SparkStandaloneCluster(int port) {
    super("Spark standalone cluster", port, clusterDirectory("spark", port));
    this.uiPort = freeLoopbackPort();
  }

  /** Starts master and worker on free loopback ports; the caller must close it. */
  public static SparkStandaloneCluster start() {
    return startOnFreePort(SparkStandaloneCluster::new);
  }

  /** {@code spark://127.0.0.1:<port>}. */
  public String masterUrl() {
    return "spark://127.0.0.1:" + port();
  }

  /** The generated SPARK_HOME ({@code jars/} = the engine classpath). */
  public Path sparkHome() {
    return dir().resolve("spark-home");
  }

  /** SPARK_HOME, SPARK_LOCAL_IP and the Scala version, for every Spark JVM. */
  public Map<String, String> environment() {
    return Map.of("SPARK_HOME", sparkHome().toString(), "SPARK_LOCAL_IP", "127.0.0.1",
        "SPARK_SCALA_VERSION", "2.12");
  }

  /**
   * {@code spark-submit --master spark://... --class main jar args} through Spark's own submit
   * entry point ({@code org.apache.spark.deploy.SparkSubmit}, client deploy mode); run it with
   * {@link #environment()}. Executors get the same JVM flags as every engine JVM here.
   */
  public List<String> submitCommand(Path jobJar, String mainClass, List<String> args) {
    List<String> submit = new ArrayList<>(List.of("--master", masterUrl(), "--deploy-mode",
        "client", "--class", mainClass, "--conf", "spark.executor.memory=1g",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ",
            EngineJvm.jvmOptions()),
        jobJar.toString()));
    submit.addAll(args);
    return EngineJvm.javaCommand(List.of("-Xmx768m"), classpath(),
        "org.apache.spark.deploy.SparkSubmit", submit);
  }

  @Override
  protected Map<String, String> processEnvironment() {
    return environment();
  }

  @Override
  protected void launch() {
    try {
      Path jars = Files.createDirectories(sparkHome().resolve("jars"));
      for (String entry : EngineJvm.clusterClasspath("spark")) {
        Path jar = Path.of(entry);
        Path link = jars.resolve(jar.getFileName());
        if (entry.endsWith(".jar") && !Files.exists(link)) {
          Files.createSymbolicLink(link, jar);
        }
      }
      Path work = Files.createDirectories(dir().resolve("work"));
      startCoordinator("master", List.of("-Xmx512m"), classpath(),
          "org.apache.spark.deploy.master.Master", List.of("--host",
          "127.0.0.1", "--port", String.valueOf(port()), "--webui-port",
          String.valueOf(uiPort)));
      startWorker("worker", List.of("-Xmx512m"), classpath(),
          "org.apache.spark.deploy.worker.Worker", List.of("--host",
          "127.0.0.1", "--cores", "2", "--memory", "2g", "--webui-port", "0", "--work-dir",
          work.toString(), masterUrl()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String classpath() {
    return sparkHome().resolve("jars") + "/*";
  }

  /** Ready once the master's status JSON lists one alive worker. */
  @Override
  protected boolean probe() throws Exception {
    return status().replace(" ", "").contains("\"aliveworkers\":1");
  }

  /** The master's status JSON (workers, active and completed applications). */
  public String status() throws IOException, InterruptedException {
    return httpGet("http://127.0.0.1:" + uiPort + "/json/");
  }

  /** The master's log (the worker's and the executors' work directories are beside it). */
  @Override
  public Path logFile() {
    return dir().resolve("master.log");
  }

  @Override
  protected String address() {
    return masterUrl();
  }
}
