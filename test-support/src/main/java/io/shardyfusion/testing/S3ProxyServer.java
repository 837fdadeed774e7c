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
import software.amazon.awssdk.services.s3.S3ClientBuilder;
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
 * or {@link S3ProxyExtension} (through {@link UsesS3Proxy}), which also stops the server when
 * the test run ends. Port choice, readiness polling and stopping are {@link ServerProcess}'s.
 *
 * <p>The server jar comes from the system property {@value #JAR_PROPERTY}, which the parent
 * pom's failsafe configuration sets. Its output goes to {@link #logFile()}.
 */
public final class S3ProxyServer extends ServerProcess {
  /** System property naming the S3Proxy {@code jar-with-dependencies}. */
  public static final String JAR_PROPERTY = "shardyfusion.s3proxy.jar";

  private static final String ACCESS_KEY = "shardyfusion-test-access-key";
  private static final String SECRET_KEY = "shardyfusion-test-secret-key";
  private static final String REGION = "us-east-1";

  private static final Shared<S3ProxyServer> SHARED =
      new Shared<>(S3ProxyServer::start, "s3proxy-shutdown");

  private final Path jar;
  private final Path dataDir;
  private final Path logFile;
  private final Path conf;
  private final S3Client client;
  private Process process;

  private S3ProxyServer(Path jar, int port, Path dataDir, Path logFile, Path conf) {
    super("S3Proxy", port);
    this.jar = jar;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.conf = conf;
    this.client = newClient(port);
  }

  /**
   * The server of this JVM, started on first call (takes about a second). A JVM shutdown hook
   * stops it; {@link S3ProxyExtension} stops it earlier, when the JUnit run ends.
   *
   * @throws IllegalStateException if the jar is not configured or the server does not come up
   */
  public static S3ProxyServer shared() {
    return SHARED.get();
  }

  /** Starts a new, private server; the caller must {@link #close()} it. */
  public static S3ProxyServer start() {
    Path jar = locateJar();
    return startOnFreePort(port -> prepare(jar, port));
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port();
  }

  public URI endpointUri() {
    return URI.create(endpoint());
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

  /**
   * An SDK client builder set up for this server (credentials, region, path-style, checksums
   * only when required) but pointed at {@code endpoint}: this server's, or a proxy's in front
   * of it ({@link S3FaultProxy}). Add an HTTP client and retry settings, then build.
   */
  public S3ClientBuilder clientBuilder(String endpoint) {
    return S3Client.builder()
        .endpointOverride(URI.create(endpoint))
        .forcePathStyle(true)
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
  }

  /** Where the server's stdout and stderr go. */
  @Override
  public Path logFile() {
    return logFile;
  }

  /** The filesystem backend's directory: one subdirectory per bucket. */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Serves the files under {@code dir} as bucket {@code bucket}, each file an object whose key
   * is its relative path (the filesystem provider's own layout, e.g. the Python-written golden
   * snapshots). Copies once per server: a bucket that exists is left as it is.
   */
  public synchronized void serveDirectoryAsBucket(String bucket, Path dir) throws IOException {
    Path target = dataDir().resolve(bucket);
    if (Files.exists(target)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path to = target.resolve(dir.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
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

  @Override
  public boolean isRunning() {
    return super.isRunning() && process != null && process.isAlive();
  }

  @Override
  public String toString() {
    return "S3ProxyServer{" + endpoint() + ", log=" + logFile + "}";
  }

  @Override
  protected String address() {
    return endpoint();
  }

  private static Path locateJar() {
    String prop = System.getProperty(JAR_PROPERTY);
    if (prop == null || prop.isBlank()) {
      throw new IllegalStateException("System property " + JAR_PROPERTY + " is not set, so the "
          + "S3Proxy server jar cannot be found. Run the build from the repository root with "
          + "Maven (e.g. `mvn -pl shard-format -am verify`): test-support copies the jar to "
          + "test-support/target/s3proxy/s3proxy.jar and failsafe passes its path.");
    }
    Path jar = Paths.get(prop);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Proxy jar " + jar + " (from -D" + JAR_PROPERTY
          + ") does not exist. Run the build from the repository root with Maven (e.g. "
          + "`mvn -pl shard-format -am verify`) so that test-support copies it there.");
    }
    return jar;
  }

  /** The data directory, log and configuration for a server on {@code port}; nothing runs yet. */
  private static S3ProxyServer prepare(Path jar, int port) {
    Path dataDir = null;
    try {
      dataDir = Files.createTempDirectory("s3proxy-data-");
      Path logDir = logDirectory("s3proxy");
      Path conf = logDir.resolve("s3proxy-" + port + ".conf");
      Files.writeString(conf, properties(port, dataDir), StandardCharsets.UTF_8);
      return new S3ProxyServer(jar, port, dataDir, logDir.resolve("s3proxy-" + port + ".log"),
          conf);
    } catch (IOException e) {
      deleteRecursively(dataDir);
      throw new UncheckedIOException("cannot prepare the S3Proxy data/log directories", e);
    }
  }

  @Override
  protected void launch() {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC",
        "-jar", jar.toString(), "--properties", conf.toString())
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch " + String.join(" ", pb.command()), e);
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

  @Override
  protected void checkAlive() {
    if (!process.isAlive()) {
      String output = tail(logFile);
      if (output.contains("Address already in use") || output.contains("BindException")) {
        throw portTaken();
      }
      throw new IllegalStateException("S3Proxy exited with code " + process.exitValue()
          + " before it was ready on " + endpoint() + ". Its output (" + logFile + "):\n"
          + output);
    }
  }

  /** An S3 call succeeds: an open port alone is not enough, the servlet may still be starting. */
  @Override
  protected boolean probe() {
    if (!portOpen()) {
      return false;
    }
    client.listBuckets();
    return true;
  }

  private boolean portOpen() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the server process (and any children) and deletes its data. */
  @Override
  protected void stop() {
    client.close();
    if (process != null) {
      destroyTree(process);
    }
    deleteRecursively(dataDir);
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
}
