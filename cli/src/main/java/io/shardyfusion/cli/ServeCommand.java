package io.shardyfusion.cli;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.serve.SnapshotServer;
import io.shardyfusion.serve.ValueRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code shardy serve}: an HTTP server over one snapshot ({@code --current-url}, served as
 * {@code default}) or several ({@code --snapshot NAME=URL}), until SIGTERM or Ctrl-C, which
 * drain the requests in flight. Prints one JSON line when it listens and one when every
 * snapshot is loaded (the readiness line scripts wait for). See {@link SnapshotServer}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve snapshots over HTTP: GET /v1/{snapshot}/keys/{key}, POST "
        + "/v1/{snapshot}/multiget, GET /v1/{snapshot}/route/{key}, GET /v1/{snapshot}/info, "
        + "POST /v1/{snapshot}/refresh, /health/live, /health/ready, /metrics (Prometheus).",
    footer = {"", "--current-url is served as 'default'; --snapshot NAME=URL (repeatable) adds "
        + "named ones; the shared S3 options and credentials apply to every snapshot.",
        "Keys in paths follow each snapshot's key encoding (integers for u64be/u32be, text for "
            + "utf8, hex:0a1b / 0x0a1b / base64:Chs= for raw), URL-encoded; a bad key is a "
            + "400, a missing one a 404, an unknown snapshot a 404 naming the served ones.",
        "Multiget body: a JSON array of keys (strings, or integers for integer encodings), or "
            + "{\"keys\": [...]}; answered from one snapshot state.",
        "Stdout: {\"event\":\"listening\",\"port\":N,...} once bound, {\"event\":\"ready\",...} "
            + "once every snapshot is loaded, {\"event\":\"stopped\"} at exit. SIGTERM/Ctrl-C "
            + "stops accepting, drains requests in flight (--drain-timeout), then exits.",
        "Refresh events are logged on stderr. The refresh token is read from the environment "
            + "variable --refresh-token-env names (never from the command line, which ps shows).",
        "", "Examples:",
        "  shardy serve --current-url s3://bucket/users/_CURRENT --port 8080",
        "  curl -s localhost:8080/v1/default/keys/42",
        "  shardy serve --snapshot users=s3://b/users/_CURRENT --snapshot items=file:///d/_CURRENT"
            + " --refresh-interval 1m",
        "  curl -s -d '[1,2,3]' localhost:8080/v1/users/multiget",
        "  REFRESH_TOKEN=s3cret shardy serve --current-url file:///d/_CURRENT "
            + "--refresh-token-env REFRESH_TOKEN",
        "  curl -s -X POST -H 'Authorization: Bearer s3cret' localhost:8080/v1/default/refresh"})
final class ServeCommand implements Callable<Integer> {
  @ParentCommand
  ShardyCli root;

  @Option(names = "--snapshot", paramLabel = "NAME=URL",
      description = "Serve the snapshot whose _CURRENT is URL under /v1/NAME/ (repeatable).")
  List<String> snapshots = new ArrayList<>();

  @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
      description = "Port to listen on; 0 = any free one (the listening line tells which). "
          + "Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only); "
          + "0.0.0.0 for every interface.")
  String bind;

  @Option(names = "--refresh-interval", paramLabel = "AGE",
      description = "Refresh every snapshot in the background this often (30s, 5m, 1h; or "
          + "seconds). Default: only on POST /v1/{snapshot}/refresh.")
  String refreshInterval;

  @Option(names = "--refresh-token-env", paramLabel = "VAR",
      description = "Require 'Authorization: Bearer TOKEN' on the refresh endpoint, TOKEN "
          + "being the value of environment variable VAR.")
  String refreshTokenEnv;

  @Option(names = "--value-format", paramLabel = "FMT", defaultValue = "raw",
      description = "raw (default): GET keys/{key} answers the value's bytes "
          + "(application/octet-stream; JSON with 'Accept: application/json') and JSON "
          + "answers show values in base64; auto, utf8, base64 or hex: GET answers JSON too, "
          + "values in that format (auto = UTF-8 text when valid, else base64).")
  String valueFormat;

  @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "1048576",
      description = "Largest request body (multiget); 413 beyond. Default: ${DEFAULT-VALUE}.")
  int maxBodyBytes;

  @Option(names = "--max-multiget-keys", paramLabel = "N", defaultValue = "10000",
      description = "Most keys in one multiget; 413 beyond. Default: ${DEFAULT-VALUE}.")
  int maxMultiGetKeys;

  @Option(names = "--request-timeout", paramLabel = "AGE", defaultValue = "30s",
      description = "Headers must arrive and bodies be read or written within this; a "
          + "refresh request answers 202 after it (the refresh goes on). Default: "
          + "${DEFAULT-VALUE}.")
  String requestTimeout;

  @Option(names = "--drain-timeout", paramLabel = "AGE", defaultValue = "30s",
      description = "At SIGTERM, how long requests in flight may still take. Default: "
          + "${DEFAULT-VALUE}.")
  String drainTimeout;

  @Option(names = "--worker-threads", paramLabel = "N",
      description = "Threads that run lookups. Default: 8 per core.")
  Integer workerThreads;

  @Option(names = "--io-threads", paramLabel = "N",
      description = "Threads that accept and parse requests. Default: one per core (at least "
          + "2).")
  Integer ioThreads;

  @Option(names = "--block-cache-mb", paramLabel = "MIB", defaultValue = "256",
      description = "RocksDB block cache of each snapshot's reader (uncompressed blocks; "
          + "size it to the hot part of the data). Default: ${DEFAULT-VALUE}.")
  long blockCacheMb;

  /** The benchmark's constant endpoint (bin/shardy-bench serve), not part of the API. */
  @Option(names = "--bench-floor", hidden = true)
  boolean benchFloor;

  @Override
  public Integer call() throws InterruptedException {
    CliContext ctx = root.context();
    Map<String, String> urls = snapshotUrls();
    SnapshotServer.Builder builder;
    String token = refreshToken(ctx);
    Duration interval = refreshInterval == null ? null : HealthCommand.parseAge(refreshInterval);
    try {
      builder = SnapshotServer.builder().bindAddress(bind).port(port)
          .maxBodyBytes(maxBodyBytes).maxMultiGetKeys(maxMultiGetKeys)
          .requestTimeout(HealthCommand.parseAge(requestTimeout))
          .refreshTimeout(HealthCommand.parseAge(requestTimeout))
          .drainTimeout(HealthCommand.parseAge(drainTimeout))
          .refreshToken(token).refreshInterval(interval).floorEndpoint(benchFloor);
      if (workerThreads != null) {
        builder.workerThreads(workerThreads);
      }
      if (ioThreads != null) {
        builder.ioThreads(ioThreads);
      }
      valueFormat(builder);
    } catch (ConfigValidationException e) {
      throw new UsageException(e.getMessage(), e);
    }
    // One registry for the server's meters and, given to the readers, theirs.
    PrometheusMeterRegistry registry = SnapshotServer.newRegistry();
    builder.meterRegistry(registry);
    List<SnapshotTarget> targets = new ArrayList<>();
    Path tempCache = root.cacheDirOption() == null ? tempDir() : null;
    try {
      for (Map.Entry<String, String> e : urls.entrySet()) {
        String name = e.getKey();
        SnapshotTarget target = SnapshotTarget.resolve(root.settingsFor(e.getValue()), ctx);
        targets.add(target);
        Path cache = (tempCache != null ? tempCache : root.cacheDirOption()).resolve(name);
        ReaderConfig.Builder config = target.readerConfig().localRoot(cache)
            // A server would rather serve an earlier snapshot than none (health says so).
            .maxFallbackAttempts(3).blockCacheBytes(blockCacheMb << 20).refreshInterval(interval)
            // The reader's own meters on the server's registry, one tag per snapshot (readers
            // sharing a registry need distinct tags).
            .meterRegistry(registry).meterTags(Tags.of("snapshot", name));
        try {
          builder.snapshot(name, target.currentUrl(), () -> ShardedReader.open(config.build()));
        } catch (ConfigValidationException bad) {
          throw new UsageException(bad.getMessage(), bad);
        }
      }
      SnapshotServer server;
      try {
        server = builder.onListening(bound -> {
          Map<String, Object> listening = new LinkedHashMap<>();
          listening.put("event", "listening");
          listening.put("url", bound.baseUrl());
          listening.put("port", bound.port());
          listening.put("snapshots", List.copyOf(urls.keySet()));
          ctx.out().println(Output.json(listening, false));
        }).onReady(() -> ctx.out().println(Output.json(Map.of("event", "ready",
            "snapshots", List.copyOf(urls.keySet())), false))).build();
      } catch (ConfigValidationException e) {
        throw new UsageException(e.getMessage(), e);
      }
      // SIGTERM / Ctrl-C: the hook drains and closes everything; the JVM exits when it ends.
      Runnable shutdown = () -> {
        server.close();
        release(targets, tempCache);
        ctx.out().println(Output.json(Map.of("event", "stopped"), false));
      };
      Thread stop = new Thread(shutdown, "shardy-serve-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      try {
        server.start();
      } catch (RuntimeException e) {
        Runtime.getRuntime().removeShutdownHook(stop);
        server.close();
        throw e;
      }
      server.awaitClosed();
      stop.join();
      return 0;
    } catch (RuntimeException e) {
      release(targets, tempCache);
      throw e;
    }
  }

  private static void release(List<SnapshotTarget> targets, Path tempCache) {
    targets.forEach(SnapshotTarget::close);
    if (tempCache != null) {
      Session.deleteTree(tempCache);
    }
  }

  /** Name → _CURRENT URL: --current-url (or $SHARDY_CURRENT, reader.toml) as default. */
  private Map<String, String> snapshotUrls() {
    if (root.nested()) {
      throw new UsageException("serve runs on its own command line (shardy serve ...), not as "
          + "a REPL line or an exec op");
    }
    if (root.pinOption()) {
      throw new UsageException("serve follows each snapshot's _CURRENT; --ref/--offset pin "
          + "one manifest and are not supported here (roll back with 'shardy rollback')");
    }
    Map<String, String> urls = new LinkedHashMap<>();
    String defaultUrl = root.currentUrlOption();
    if (defaultUrl == null && snapshots.isEmpty()) {
      defaultUrl = root.session().settings().currentUrl();
      if (defaultUrl == null) {
        defaultUrl = root.context().env(SnapshotTarget.ENV);
      }
      if (defaultUrl == null) {
        throw new UsageException("no snapshot to serve: give --current-url URL (served as "
            + "'default') or --snapshot NAME=URL, or set $" + SnapshotTarget.ENV);
      }
    }
    if (defaultUrl != null) {
      urls.put("default", defaultUrl);
    }
    for (String spec : snapshots) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new UsageException("--snapshot " + spec + ": expected NAME=URL, e.g. --snapshot "
            + "users=s3://bucket/users/_CURRENT");
      }
      String name = spec.substring(0, eq);
      if (urls.putIfAbsent(name, spec.substring(eq + 1)) != null) {
        throw new UsageException("--snapshot " + spec + ": the name " + name + " is already "
            + "used" + (name.equals("default") ? " by --current-url" : "")
            + "; give each snapshot its own name");
      }
    }
    return urls;
  }

  private String refreshToken(CliContext ctx) {
    if (refreshTokenEnv == null) {
      return null;
    }
    String token = ctx.env(refreshTokenEnv);
    if (token == null) {
      throw new UsageException("--refresh-token-env " + refreshTokenEnv + ": the variable is "
          + "not set or empty; export it with the refresh token (or leave the option out)");
    }
    return token;
  }

  private void valueFormat(SnapshotServer.Builder builder) {
    if (valueFormat.equalsIgnoreCase("raw")) {
      return; // bytes for GET, base64 in JSON answers
    }
    ValueFormat format;
    try {
      format = ValueFormat.parse(valueFormat);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--value-format " + valueFormat + ": use raw, auto, utf8, "
          + "base64 or hex");
    }
    builder.jsonValues(true).valueRenderer(new ValueRenderer() {
      @Override
      public String render(byte[] value) {
        return format.render(value);
      }

      @Override
      public String encodingOf(byte[] value) {
        return format.resolve(value).toString();
      }
    });
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("shardy-serve-cache");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary shard cache", e);
    }
  }
}
