package io.shardyfusion.serve;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * An HTTP server over one or several published snapshots, each a {@link ShardedReader} under a
 * name: what {@code shardy serve} runs. Endpoints (JSON unless said otherwise):
 *
 * <ul>
 *   <li>{@code GET /v1/{snapshot}/keys/{key}}: the value's bytes
 *       ({@code application/octet-stream}), or JSON ({@code key, found, value, value_encoding})
 *       when the server renders JSON values or the request sends {@code Accept:
 *       application/json}; 404 for a missing key, 400 for a key the snapshot's key encoding
 *       refuses;
 *   <li>{@code POST /v1/{snapshot}/multiget}: a JSON array of keys (or {@code {"keys": [...]}})
 *       → {@code results} in request order, all read from one snapshot state;
 *   <li>{@code GET /v1/{snapshot}/route/{key}}: the shard a key routes to;
 *   <li>{@code GET /v1/{snapshot}/info}: run id, manifest ref, age, shards, key encoding;
 *   <li>{@code POST /v1/{snapshot}/refresh}: switch to what {@code _CURRENT} names now
 *       (bearer token when one is configured);
 *   <li>{@code GET /v1/snapshots}, {@code /health/live}, {@code /health/ready} (200 once every
 *       snapshot is loaded, 503 before), {@code /metrics} (Prometheus text).
 * </ul>
 *
 * <p>The server listens at once and opens the readers in the background (retrying failed
 * opens), so that liveness and readiness can be told apart. {@link #close()} stops accepting
 * requests, lets the ones in flight finish (up to the drain timeout), then closes the readers.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = SnapshotServer.newRegistry();
 * try (SnapshotServer server = SnapshotServer.builder().port(8080).meterRegistry(registry)
 *     .snapshot("users", "s3://bucket/users/_CURRENT", () -> ShardedReader.open(config))
 *     .build().start()) {
 *   server.awaitClosed();   // until close() from a shutdown hook
 * }
 * }</pre>
 */
public final class SnapshotServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotServer.class);
  /** Snapshot names are path segments: letters, digits, '.', '_', '-', not starting with '_'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final Builder config;
  private final Map<String, ServedSnapshot> snapshots;
  private final PrometheusMeterRegistry registry;
  private final ServeMetrics metrics;
  private final ExecutorService refreshExecutor;
  private final ScheduledExecutorService opener;
  private final GracefulShutdownHandler graceful;
  private final CountDownLatch ready;
  private final CountDownLatch closed = new CountDownLatch(1);
  private Undertow undertow;
  private int port;
  private boolean closing;

  private SnapshotServer(Builder b) {
    this.config = b;
    this.registry = b.registry != null ? b.registry : newRegistry();
    this.metrics = new ServeMetrics(registry);
    Map<String, ServedSnapshot> m = new LinkedHashMap<>();
    for (Map.Entry<String, Map.Entry<String, Supplier<ShardedReader>>> e : b.snapshots.entrySet()) {
      ServedSnapshot s = new ServedSnapshot(e.getKey(), e.getValue().getKey(),
          e.getValue().getValue(), metrics, b.clock);
      m.put(e.getKey(), s);
      Gauge.builder("shardy.serve.snapshot.ready", s, x -> x.reader() == null ? 0 : 1)
          .description("1 once the snapshot is loaded and served").tag("snapshot", s.name)
          .register(registry);
      Gauge.builder("shardy.serve.snapshot.age", s, x -> age(x, b.clock))
          .description("Age of the served snapshot (now - its manifest's created_at)")
          .baseUnit("seconds").tag("snapshot", s.name).register(registry);
    }
    this.snapshots = Collections.unmodifiableMap(m);
    this.ready = new CountDownLatch(m.size());
    // One thread per snapshot: a reader serializes its refreshes anyway, and a flood of
    // refresh requests queues (each answers 202 after its timeout) instead of adding threads.
    this.refreshExecutor = Executors.newFixedThreadPool(m.size(), daemon("shardy-serve-refresh"));
    this.opener = Executors.newSingleThreadScheduledExecutor(daemon("shardy-serve-open"));
    byte[] token = b.refreshToken == null ? null
        : b.refreshToken.getBytes(StandardCharsets.UTF_8);
    ApiHandler api = new ApiHandler(snapshots, metrics, registry, new ApiHandler.Settings(
        b.values, b.jsonValues, b.maxBodyBytes, b.maxMultiGetKeys, token, b.refreshTimeout,
        b.floor, b.refreshInterval, b.beforeLookup), refreshExecutor, b.clock);
    this.graceful = new GracefulShutdownHandler(api);
  }

  private static double age(ServedSnapshot s, Clock clock) {
    ShardedReader r = s.reader();
    if (r == null) {
      return Double.NaN;
    }
    SnapshotInfo info = r.snapshotInfo();
    return info.createdAt() == null ? Double.NaN
        : Duration.between(info.createdAt(), clock.instant()).toMillis() / 1000.0;
  }

  /** A Prometheus registry for the server's meters (and the readers', given the same one). */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the port and starts opening the snapshots in the background.
   *
   * @throws ServeException when the address cannot be bound (in use, not local)
   */
  public synchronized SnapshotServer start() {
    Duration timeout = config.requestTimeout;
    Undertow u = Undertow.builder()
        .addHttpListener(config.port, config.bindAddress)
        .setIoThreads(config.ioThreads)
        .setWorkerThreads(config.workerThreads)
        // Slow or idle clients cannot hold a connection or a worker for long.
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) timeout.toMillis())
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) config.idleTimeout.toMillis())
        .setSocketOption(Options.READ_TIMEOUT, (int) timeout.toMillis())
        .setSocketOption(Options.WRITE_TIMEOUT, (int) timeout.toMillis())
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
        .setHandler(graceful)
        .build();
    try {
      u.start();
    } catch (RuntimeException e) {
      throw new ServeException("cannot listen on " + config.bindAddress + ":" + config.port
          + ": " + e.getMessage() + "; pick another --port (0 = any free one) or --bind", true,
          e);
    }
    undertow = u;
    port = ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
    LOG.info("listening on http://{}:{}/ for snapshots {}", config.bindAddress, port,
        snapshots.keySet());
    config.onListening.accept(this);
    for (ServedSnapshot s : snapshots.values()) {
      opener.execute(() -> open(s));
    }
    return this;
  }

  private void open(ServedSnapshot s) {
    if (s.tryOpen()) {
      ready.countDown();
      if (ready.getCount() == 0) {
        config.onReady.run();
      }
    } else if (!opener.isShutdown()) {
      opener.schedule(() -> open(s), config.openRetryDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The port listened on (the one chosen when the builder asked for 0). */
  public int port() {
    return port;
  }

  /** {@code http://address:port} of the server. */
  public String baseUrl() {
    String host = config.bindAddress.contains(":") ? "[" + config.bindAddress + "]"
        : config.bindAddress;
    return "http://" + host + ":" + port;
  }

  /** The registry {@code /metrics} shows. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Waits until every snapshot is loaded; false when the timeout passed first. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until {@link #close()} has finished (e.g. from a shutdown hook). */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * Stops gracefully: new requests are refused (503), requests in flight finish (up to the
   * drain timeout), then the listener stops and the readers close. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      opener.shutdownNow();
      graceful.shutdown();
      config.onDrainStarted.run();
      boolean drained = graceful.awaitShutdown(config.drainTimeout.toMillis());
      if (!drained) {
        LOG.warn("requests still running after the drain timeout ({}); stopping anyway",
            config.drainTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (undertow != null) {
        undertow.stop();
      }
      refreshExecutor.shutdownNow();
      snapshots.values().forEach(ServedSnapshot::close);
      metrics.close();
      LOG.info("stopped");
      closed.countDown();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** An error starting the server. */
  public static final class ServeException extends ShardyfusionException {
    private static final long serialVersionUID = 1L;

    ServeException(String message, boolean retryable, Throwable cause) {
      super(message, retryable, cause);
    }
  }

  /** Settings of a {@link SnapshotServer}; only the snapshots are required. */
  public static final class Builder {
    private final Map<String, Map.Entry<String, Supplier<ShardedReader>>> snapshots =
        new LinkedHashMap<>();
    private String bindAddress = "127.0.0.1";
    private int port = 8080;
    private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private int workerThreads = 8 * Math.max(2, Runtime.getRuntime().availableProcessors());
    private ValueRenderer values = ValueRenderer.base64();
    private boolean jsonValues;
    private int maxBodyBytes = 1 << 20;
    private int maxMultiGetKeys = 10_000;
    private String refreshToken;
    private Duration refreshInterval;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration refreshTimeout = Duration.ofSeconds(30);
    private Duration drainTimeout = Duration.ofSeconds(30);
    private Duration openRetryDelay = Duration.ofSeconds(10);
    private boolean floor;
    private PrometheusMeterRegistry registry;
    private Runnable onReady = () -> { };
    private Consumer<SnapshotServer> onListening = server -> { };
    private Consumer<String> beforeLookup = name -> { };
    private Runnable onDrainStarted = () -> { };
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Serves a snapshot under {@code name} ({@code /v1/name/...}).
     *
     * @param source where it comes from (its {@code _CURRENT} URL), shown by {@code info}
     * @param opener opens the reader (downloads the shards); called on a background thread,
     *     again after a delay when it throws
     */
    public Builder snapshot(String name, String source, Supplier<ShardedReader> opener) {
      if (!NAME.matcher(name).matches()) {
        throw new ConfigValidationException("snapshot name '" + name + "' must be letters, "
            + "digits, '.', '_' or '-' (not starting with '_'), at most 100 characters");
      }
      if (snapshots.putIfAbsent(name, Map.entry(source, opener)) != null) {
        throw new ConfigValidationException("snapshot name '" + name + "' given twice; give "
            + "each --snapshot NAME=URL a different name");
      }
      return this;
    }

    /** The address to listen on; default 127.0.0.1 (this machine only). */
    public Builder bindAddress(String address) {
      this.bindAddress = address;
      return this;
    }

    /** The port; 0 picks a free one ({@link SnapshotServer#port()}). Default 8080. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new ConfigValidationException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** I/O threads (accept and parse); default the number of cores, at least 2. */
    public Builder ioThreads(int n) {
      this.ioThreads = positive("ioThreads", n);
      return this;
    }

    /** Worker threads (lookups run there); default 8 per core. */
    public Builder workerThreads(int n) {
      this.workerThreads = positive("workerThreads", n);
      return this;
    }

    /** How JSON answers show values; default base64. */
    public Builder valueRenderer(ValueRenderer renderer) {
      this.values = renderer;
      return this;
    }

    /** Whether {@code GET keys/{key}} answers JSON rather than the value's bytes. */
    public Builder jsonValues(boolean json) {
      this.jsonValues = json;
      return this;
    }

    /** Largest request body (multiget); 413 beyond. Default 1 MiB. */
    public Builder maxBodyBytes(int n) {
      this.maxBodyBytes = positive("maxBodyBytes", n);
      return this;
    }

    /** Most keys in one multiget; 413 beyond. Default 10 000. */
    public Builder maxMultiGetKeys(int n) {
      this.maxMultiGetKeys = positive("maxMultiGetKeys", n);
      return this;
    }

    /** The bearer token {@code POST .../refresh} requires; null (default) = none required. */
    public Builder refreshToken(String token) {
      if (token != null && token.isBlank()) {
        throw new ConfigValidationException("the refresh token is empty; set the variable to "
            + "a secret or leave --refresh-token-env out");
      }
      this.refreshToken = token;
      return this;
    }

    /** The readers' background refresh interval, shown by {@code info} (readers refresh). */
    public Builder refreshInterval(Duration d) {
      this.refreshInterval = d;
      return this;
    }

    /** Headers must arrive, and bodies be read and written, within this; default 30 s. */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive("requestTimeout", d);
      return this;
    }

    /** An idle keep-alive connection is closed after this; default 60 s. */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = positive("idleTimeout", d);
      return this;
    }

    /** A refresh request waits this long, then answers 202 (it goes on); default 30 s. */
    public Builder refreshTimeout(Duration d) {
      this.refreshTimeout = positive("refreshTimeout", d);
      return this;
    }

    /** {@link #close()} waits this long for requests in flight; default 30 s. */
    public Builder drainTimeout(Duration d) {
      this.drainTimeout = positive("drainTimeout", d);
      return this;
    }

    /** A snapshot that failed to open is tried again after this; default 10 s. */
    public Builder openRetryDelay(Duration d) {
      this.openRetryDelay = positive("openRetryDelay", d);
      return this;
    }

    /**
     * Answers {@code GET /v1/_floor/...} with a constant through the same path as a lookup:
     * the benchmark's HTTP floor. Not part of the API.
     */
    public Builder floorEndpoint(boolean on) {
      this.floor = on;
      return this;
    }

    /** The registry for the server's meters and {@code /metrics}; default a new one. */
    public Builder meterRegistry(PrometheusMeterRegistry r) {
      this.registry = r;
      return this;
    }

    /** Runs once every snapshot is loaded (e.g. to print a readiness line). */
    public Builder onReady(Runnable r) {
      this.onReady = r;
      return this;
    }

    /** Runs once the port is bound, before any snapshot is opened (and so before onReady). */
    public Builder onListening(Consumer<SnapshotServer> c) {
      this.onListening = c;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /** Called on the worker thread before each lookup; tests hold requests in flight with it. */
    Builder beforeLookup(Consumer<String> hook) {
      this.beforeLookup = hook;
      return this;
    }

    /** Called by close() once new requests are refused, before waiting for those in flight. */
    Builder onDrainStarted(Runnable hook) {
      this.onDrainStarted = hook;
      return this;
    }

    public SnapshotServer build() {
      if (snapshots.isEmpty()) {
        throw new ConfigValidationException("no snapshot to serve; give --current-url URL "
            + "(served as 'default') or --snapshot NAME=URL");
      }
      return new SnapshotServer(this);
    }

    private static int positive(String what, int n) {
      if (n <= 0) {
        throw new ConfigValidationException(what + " must be positive, got " + n);
      }
      return n;
    }

    private static Duration positive(String what, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new ConfigValidationException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
