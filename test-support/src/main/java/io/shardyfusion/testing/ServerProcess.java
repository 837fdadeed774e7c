package io.shardyfusion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What every server fixture (S3Proxy, PostgreSQL) shares: a real server in its own process on a
 * free {@code 127.0.0.1} port, started again on another port if the chosen one is taken before
 * the server binds it, polled until it answers (with a deadline, no fixed sleeps), its log kept
 * under {@code <module>/target}, stopped once ({@link #close()} is idempotent) and, for the
 * per-JVM instance ({@link Shared}), at JVM exit at the latest.
 *
 * <p>A subclass says only what is specific to its server:
 *
 * <ul>
 *   <li>{@link #launch()}: start the process (throw {@link #portTaken()} if the port was lost);
 *   <li>{@link #probe()}: one readiness check, and {@link #checkAlive()} to fail fast if the
 *       process died;
 *   <li>{@link #bootstrap()}: what to create once it answers (optional);
 *   <li>{@link #stop()}: stop the process and delete its files.
 * </ul>
 *
 * <p>These servers are what makes a test an integration test: they refuse to start under
 * {@code mvn test} (surefire sets {@value #PHASE_PROPERTY}={@value #UNIT_PHASE}); tag the test
 * class {@link IntegrationTest} (or {@link UsesS3Proxy} / {@link UsesPostgres}) so that it runs
 * under failsafe in {@code mvn verify}.
 */
public abstract class ServerProcess implements AutoCloseable {
  /** System property the build sets to the test phase: {@value #UNIT_PHASE} under surefire. */
  public static final String PHASE_PROPERTY = "shardyfusion.test.phase";
  /** The value of {@value #PHASE_PROPERTY} in {@code mvn test}, where no server may start. */
  public static final String UNIT_PHASE = "unit";

  /** How long a server has to come up. */
  protected static final Duration START_DEADLINE = Duration.ofSeconds(30);
  // A port picked as free can be taken by someone else before the server binds it; try again.
  private static final int START_ATTEMPTS = 3;
  private static final Duration POLL = Duration.ofMillis(50);
  private static final int LOG_TAIL_CHARS = 8000;

  private final String name;
  private final int port;
  private volatile boolean stopped;

  /**
   * @param name the server's name in messages, e.g. {@code "S3Proxy"}
   * @param port the loopback port it is to listen on
   */
  protected ServerProcess(String name, int port) {
    this.name = name;
    this.port = port;
  }

  /**
   * Starts a server on a free loopback port: {@code create} makes it for a port (nothing runs
   * yet), then it is launched, polled until ready and bootstrapped. If the port was taken in the
   * meantime, it starts again on another one. On any failure what was started is closed.
   *
   * @throws IllegalStateException if called from a unit test ({@code mvn test}), or the server
   *     does not come up
   */
  protected static <S extends ServerProcess> S startOnFreePort(IntFunction<S> create) {
    refuseInUnitTests();
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      S server = create.apply(freeLoopbackPort());
      ServerProcess process = server;
      try {
        process.launch();
        process.awaitReady();
        process.bootstrap();
        return server;
      } catch (PortTakenException e) {
        server.close();
        last = e;
      } catch (RuntimeException | Error e) {
        server.close();
        throw e;
      }
    }
    throw last;
  }

  private static void refuseInUnitTests() {
    if (UNIT_PHASE.equals(System.getProperty(PHASE_PROPERTY))) {
      throw new IllegalStateException("a server fixture was started by a unit test (mvn test "
          + "runs no servers): tag the test class @IntegrationTest, @UsesS3Proxy or "
          + "@UsesPostgres (io.shardyfusion.testing) so that it runs under failsafe in "
          + "`mvn verify`");
    }
  }

  /** Starts the server's process on {@link #port()}; throws {@link #portTaken()} if it lost it. */
  protected abstract void launch();

  /**
   * One readiness check: true once the server answers real requests (an open port alone is not
   * enough). An exception counts as "not yet" and is reported if the deadline passes.
   */
  protected abstract boolean probe() throws Exception;

  /**
   * Called before each probe: throws if the server's process has died (then with
   * {@link #portTaken()} if it died because the port was taken). By default nothing.
   */
  protected void checkAlive() {}

  /** What to create once the server answers; by default nothing. */
  protected void bootstrap() {}

  /** Stops the server and deletes its files; called once, by {@link #close()}. */
  protected abstract void stop();

  /**
   * How long this server has to come up; {@link #START_DEADLINE} unless a server that starts
   * several JVMs (a Flink or Spark cluster) needs longer on a busy machine.
   */
  protected Duration startDeadline() {
    return START_DEADLINE;
  }

  /** Where the server writes its output. */
  public abstract Path logFile();

  /** Where the server can be reached, for messages (e.g. its URL). */
  protected abstract String address();

  public final int port() {
    return port;
  }

  public boolean isRunning() {
    return !stopped;
  }

  /** Stops the server (and deletes its files); idempotent. */
  @Override
  public final synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    stop();
  }

  /** Polls {@link #probe()} in short steps until it succeeds or {@link #START_DEADLINE}. */
  private void awaitReady() {
    long deadline = System.nanoTime() + startDeadline().toNanos();
    Exception lastProbe = null;
    while (System.nanoTime() < deadline) {
      checkAlive();
      try {
        if (probe()) {
          return;
        }
      } catch (Exception e) {
        lastProbe = e;
      }
      pause(POLL);
    }
    throw new IllegalStateException(name + " did not answer on " + address() + " within "
        + startDeadline().toSeconds() + " s (last probe: " + lastProbe + "). Its log ("
        + logFile() + "):\n" + tail(logFile()));
  }

  /** The exception for "the chosen port was taken before the server could bind it". */
  protected final IllegalStateException portTaken() {
    return new PortTakenException(name + " could not bind " + address() + "; see " + logFile());
  }

  /** The end of a log file (where the error is), or why it cannot be read. */
  protected static String tail(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return text.length() > LOG_TAIL_CHARS
          ? "...\n" + text.substring(text.length() - LOG_TAIL_CHARS) : text;
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /**
   * Where to keep the servers' logs: {@code target/<kind>-logs} (failsafe and surefire run in the
   * module directory, so under Maven this is {@code <module>/target}), else the temp directory.
   */
  protected static Path logDirectory(String kind) throws IOException {
    Path target = Paths.get("target");
    Path dir = Files.isDirectory(target)
        ? target.resolve(kind + "-logs")
        : Paths.get(System.getProperty("java.io.tmpdir"), kind + "-logs");
    return Files.createDirectories(dir).toAbsolutePath();
  }

  /** A loopback port free right now (the server may still lose it: see startOnFreePort). */
  protected static int freeLoopbackPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Destroys a process and its descendants, forcibly if they do not exit within 10 s. */
  protected static void destroyTree(Process process) {
    List<ProcessHandle> children = new ArrayList<>();
    process.descendants().forEach(children::add);
    children.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Best effort: these are temp directories. */
  protected static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp directory: nothing more to do
    }
  }

  private void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + name, e);
    }
  }

  /**
   * The per-JVM server of one kind, started on first use; a JVM shutdown hook stops it, and
   * {@link ServerExtension} stops it earlier, when the JUnit run ends (after which the next use
   * starts a new one).
   */
  protected static final class Shared<S extends ServerProcess> {
    private final Supplier<S> start;
    private final String hookName;
    private S server;

    /**
     * @param start starts a new server
     * @param hookName the shutdown hook thread's name
     */
    public Shared(Supplier<S> start, String hookName) {
      this.start = start;
      this.hookName = hookName;
    }

    public synchronized S get() {
      if (server == null || ((ServerProcess) server).stopped) {
        S s = start.get();
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, hookName));
        server = s;
      }
      return server;
    }
  }

  /** The chosen port was taken before the server could bind it: try another. */
  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }
}
