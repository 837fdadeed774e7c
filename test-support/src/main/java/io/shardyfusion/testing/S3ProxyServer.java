package io.shardyfusion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * A real S3 API server (S3Proxy with its filesystem backend) running in its own process on a
 * free loopback port. It runs in a separate JVM because S3Proxy's servlet stack clashes with
 * Spark's, and a real server catches what an in-JVM mock would not (signing, checksums,
 * multipart, error codes).
 *
 * <p>Use the per-JVM singleton:
 *
 * <pre>{@code
 * S3ProxyServer s3 = S3ProxyServer.shared();   // started on first use
 * String bucket = s3.createUniqueBucket("test");
 * // connect with s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region(), path-style
 * }</pre>
 *
 * or {@link S3ProxyExtension}, which also stops the server when the test run ends.
 *
 * <p>The server jar comes from the system property {@value #JAR_PROPERTY}, which the parent
 * pom's surefire configuration sets. Its output goes to {@link #logFile()}.
 */
public final class S3ProxyServer implements AutoCloseable {
  /** System property naming the S3Proxy {@code jar-with-dependencies}. */
  public static final String JAR_PROPERTY = "shardyfusion.s3proxy.jar";

  private static final String ACCESS_KEY = "shardyfusion-test-access-key";
  private static final String SECRET_KEY = "shardyfusion-test-secret-key";
  private static final String REGION = "us-east-1";
  private static final Duration START_DEADLINE = Duration.ofSeconds(30);
  // A port picked as free can be taken by someone else before S3Proxy binds it; try again.
  private static final int START_ATTEMPTS = 3;

  private static S3ProxyServer shared;

  private final Process process;
  private final int port;
  private final Path dataDir;
  private final Path logFile;
  private final S3Client client;
  private volatile boolean stopped;

  private S3ProxyServer(Process process, int port, Path dataDir, Path logFile, S3Client client) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.client = client;
  }

  /**
   * The server of this JVM, started on first call (takes about a second). A JVM shutdown hook
   * stops it; {@link S3ProxyExtension} stops it earlier, when the JUnit run ends.
   *
   * @throws IllegalStateException if the jar is not configured or the server does not come up
   */
  public static synchronized S3ProxyServer shared() {
    if (shared == null || shared.stopped) {
      S3ProxyServer server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "s3proxy-shutdown"));
      shared = server;
    }
    return shared;
  }

  /** Starts a new, private server; the caller must {@link #close()} it. */
  public static S3ProxyServer start() {
    Path jar = locateJar();
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return launch(jar);
      } catch (PortTakenException e) {
        last = e;
      }
    }
    throw last;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public URI endpointUri() {
    return URI.create(endpoint());
  }

  public int port() {
    return port;
  }

  /** The fixed access key id the server accepts (AWS signature v2 or v4). */
  public String accessKey() {
    return ACCESS_KEY;
  }

  /** The fixed secret key the server accepts. */
  public String secretKey() {
    return SECRET_KEY;
  }

  /** The region to sign with; S3Proxy accepts any, clients need one. */
  public String region() {
    return REGION;
  }

  /** Where the server's stdout and stderr go. */
  public Path logFile() {
    return logFile;
  }

  /** The filesystem backend's directory: one subdirectory per bucket. */
  public Path dataDir() {
    return dataDir;
  }

  /** Creates a bucket through the S3 API; creating one that exists is not an error. */
  public void createBucket(String name) {
    Objects.requireNonNull(name, "name");
    try {
      client.createBucket(b -> b.bucket(name));
    } catch (BucketAlreadyOwnedByYouException e) {
      // Already there: what the caller wanted.
    }
  }

  /** Creates a bucket with a fresh name that starts with {@code prefix}, and returns the name. */
  public String createUniqueBucket(String prefix) {
    String name = (prefix + "-" + UUID.randomUUID().toString().substring(0, 13))
        .toLowerCase(Locale.ROOT);
    createBucket(name);
    return name;
  }

  /** Stops the server process (and any children) and deletes its data; idempotent. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    client.close();
    destroyTree(process);
    ServerProcesses.deleteRecursively(dataDir);
  }

  public boolean isRunning() {
    return !stopped && process.isAlive();
  }

  @Override
  public String toString() {
    return "S3ProxyServer{" + endpoint() + ", log=" + logFile + "}";
  }

  private static Path locateJar() {
    String prop = System.getProperty(JAR_PROPERTY);
    if (prop == null || prop.isBlank()) {
      throw new IllegalStateException("System property " + JAR_PROPERTY + " is not set, so the "
          + "S3Proxy server jar cannot be found. Run the build from the repository root with "
          + "Maven (e.g. `mvn -pl shard-format -am test`): test-support copies the jar to "
          + "test-support/target/s3proxy/s3proxy.jar and surefire passes its path.");
    }
    Path jar = Paths.get(prop);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Proxy jar " + jar + " (from -D" + JAR_PROPERTY
          + ") does not exist. Run the build from the repository root with Maven (e.g. "
          + "`mvn -pl shard-format -am test`) so that test-support copies it there.");
    }
    return jar;
  }

  private static S3ProxyServer launch(Path jar) {
    Path dataDir;
    Path logFile;
    Path conf;
    int port = ServerProcesses.freeLoopbackPort();
    try {
      dataDir = Files.createTempDirectory("s3proxy-data-");
      Path logDir = logDirectory();
      logFile = logDir.resolve("s3proxy-" + port + ".log");
      conf = logDir.resolve("s3proxy-" + port + ".conf");
      Files.writeString(conf, properties(port, dataDir), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the S3Proxy data/log directories", e);
    }
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC",
        "-jar", jar.toString(), "--properties", conf.toString())
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      ServerProcesses.deleteRecursively(dataDir);
      throw new UncheckedIOException("cannot launch " + String.join(" ", pb.command()), e);
    }
    S3Client client = newClient(port);
    S3ProxyServer server = new S3ProxyServer(process, port, dataDir, logFile, client);
    try {
      server.awaitReady();
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  private static String properties(int port, Path dataDir) {
    return String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        // The AWS SDK sends headers (e.g. from its multipart client) S3Proxy would reject.
        "s3proxy.ignore-unknown-headers=true",
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath(),
        "");
  }

  /**
   * Polls until an S3 call succeeds: an open port alone is not enough, the servlet may still be
   * starting. Polls in short steps with a deadline instead of sleeping a fixed time.
   */
  private void awaitReady() {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    Exception lastProbe = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String output = output();
        if (output.contains("Address already in use") || output.contains("BindException")) {
          throw new PortTakenException(this);
        }
        throw new IllegalStateException("S3Proxy exited with code " + process.exitValue()
            + " before it was ready on " + endpoint() + ". Its output (" + logFile + "):\n"
            + output);
      }
      if (portOpen()) {
        try {
          client.listBuckets();
          return;
        } catch (RuntimeException e) {
          lastProbe = e;
        }
      }
      ServerProcesses.pause(Duration.ofMillis(50), "S3Proxy");
    }
    throw new IllegalStateException("S3Proxy did not answer on " + endpoint() + " within "
        + START_DEADLINE.toSeconds() + " s (last probe: " + lastProbe + "). Its output ("
        + logFile + "):\n" + output());
  }

  private boolean portOpen() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String output() {
    try {
      String text = Files.readString(logFile, StandardCharsets.UTF_8);
      // The head is logback's own start-up chatter; the tail has the error.
      return text.length() > 8000 ? "...\n" + text.substring(text.length() - 8000) : text;
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private static S3Client newClient(int port) {
    return S3Client.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .forcePathStyle(true)
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        // Third-party S3 APIs do not all understand the SDK's default flexible checksums.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(ApacheHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(2))
            .socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(30))
            .retryStrategy(r -> r.maxAttempts(1)))
        .build();
  }

  private static Path logDirectory() throws IOException {
    // Surefire runs in the module directory, so this lands in <module>/target.
    Path target = Paths.get("target");
    Path dir = Files.isDirectory(target)
        ? target.resolve("s3proxy-logs")
        : Paths.get(System.getProperty("java.io.tmpdir"), "s3proxy-logs");
    return Files.createDirectories(dir).toAbsolutePath();
  }

  private static void destroyTree(Process process) {
    List<ProcessHandle> children = new ArrayList<>();
    process.descendants().forEach(children::add);
    children.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The chosen port was taken before S3Proxy could bind it. */
  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(S3ProxyServer server) {
      super("S3Proxy could not bind " + server.endpoint() + "; see " + server.logFile);
    }
  }
}
