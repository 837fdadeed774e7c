package io.shardyfusion.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.serve.SnapshotServer;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code shardy serve}'s HTTP throughput, driven by wrk (Debian's package, installed here when
 * missing) on loopback at a fixed concurrency: random existing keys, beside the same server
 * answering a constant endpoint through the same dispatch (the HTTP floor) in the same run, and
 * again while the snapshot is refreshed over and over (errors must stay 0).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "shardy serve gets/s and p50/p99 (wrk, random keys) beside the HTTP floor "
        + "(a constant endpoint of the same server), and during repeated refreshes.")
final class ServeBench implements Callable<Integer> {
  @Option(names = "--rows", defaultValue = "1000000") long rows;
  @Mixin SnapshotShape shape;
  @Option(names = "--seconds", defaultValue = "10", description = "duration of each wrk run")
  int seconds;
  @Option(names = "--connections", defaultValue = "32", description = "wrk connections")
  int connections;
  @Option(names = "--wrk-threads", defaultValue = "1",
      description = "wrk threads (the server gets the remaining cores)") int wrkThreads;
  @Option(names = "--io-threads", defaultValue = "1", description = "server I/O threads")
  int ioThreads;
  @Option(names = "--worker-threads", defaultValue = "8", description = "server workers")
  int workerThreads;
  @Option(names = "--rounds", defaultValue = "2",
      description = "floor/gets pairs (alternating, so that load drift hits both)") int rounds;
  @Option(names = "--block-cache-mb", defaultValue = "512",
      description = "reader block cache (holds the default snapshot)") long blockCacheMb;
  @Option(names = "--dir") Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    String wrk = ensureWrk();
    Path work = dir != null ? dir : Files.createTempDirectory("shardy-bench-serve");
    try {
      return measure(wrk, work);
    } finally {
      if (dir == null) {
        try (java.util.stream.Stream<Path> paths = Files.walk(work)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private int measure(String wrk, Path work) throws Exception {
    String prefix = work.resolve("store").toUri().toString();
    WriteConfig config = WriteConfig.builder().numDbs(shape.numDbs).s3Prefix(prefix)
        .tempDir(work.resolve("tmp")).reuseUnchangedShards(false).build();
    // Two runs with different values: the refresh phase moves _CURRENT between them.
    BuildResult a = write(config, "a", (byte) 0);
    BuildResult b = write(config, "b", (byte) 1);
    Path script = work.resolve("serve-random-keys.lua");
    try (InputStream in = ServeBench.class.getResourceAsStream("serve-random-keys.lua")) {
      Files.copy(in, script);
    }
    try (ManifestStore store = new ObjectStoreManifestStore(ObjectStores.open(prefix, null,
        null))) {
      Rollback.rollbackTo(store, Rollback.Selector.ref(a.manifestRef()));
      ReaderConfig rc = ReaderConfig.builder().s3Prefix(prefix)
          .localRoot(work.resolve("reader")).blockCacheBytes(blockCacheMb << 20).build();
      try (SnapshotServer server = SnapshotServer.builder().port(0).ioThreads(ioThreads)
          .workerThreads(workerThreads).floorEndpoint(true)
          .snapshot("bench", prefix + "/_CURRENT", () -> ShardedReader.open(rc))
          .build().start()) {
        if (!server.awaitReady(Duration.ofMinutes(5))) {
          throw new IllegalStateException("the snapshot did not load in 5 minutes");
        }
        String base = server.baseUrl();
        System.out.printf("# serve benchmark: %,d rows in %d shards, %d-byte values, %d cores "
            + "(shared with wrk and, on this machine, other work), wrk %d thread(s) x %d "
            + "connections, %d s per run, server %d I/O + %d worker threads, %d MiB block "
            + "cache%n", rows, shape.numDbs, shape.valueSize,
            Runtime.getRuntime().availableProcessors(), wrkThreads, connections, seconds,
            ioThreads, workerThreads, blockCacheMb);
        // Warm-up, not printed: the JIT, and the block cache over most of the keys.
        run(wrk, script, base, "/v1/_floor/keys/", seconds);
        run(wrk, script, base, "/v1/bench/keys/", seconds);
        System.out.printf("%-38s %12s %9s %9s %9s %8s %7s%n", "endpoint", "requests/s", "p50 us",
            "p99 us", "p99.9 us", "errors", "x floor");
        // Floor and gets alternate, so that drift in what else the machine runs hits both.
        double floorSum = 0;
        double getSum = 0;
        double floorRate = 0;
        for (int round = 1; round <= rounds; round++) {
          JsonNode floor = run(wrk, script, base, "/v1/_floor/keys/", seconds);
          floorRate = rate(floor);
          floorSum += floorRate;
          print("GET /v1/_floor/keys/{k} (HTTP floor)", floor, floorRate);
          JsonNode gets = run(wrk, script, base, "/v1/bench/keys/", seconds);
          getSum += rate(gets);
          print("GET /v1/{snapshot}/keys/{random key}", gets, floorRate);
        }
        System.out.printf("# gets / floor over %d rounds: %.2f%n", rounds, getSum / floorSum);
        AtomicInteger refreshes = new AtomicInteger();
        JsonNode during = duringRefreshes(wrk, script, base, store, a, b, refreshes);
        print("  same, during refreshes", during, floorRate);
        System.out.printf("# %d refreshes (POST /v1/bench/refresh, each a full swap of %d "
            + "shards) during the last run%n", refreshes.get(), shape.numDbs);
        String metrics = get(base + "/metrics");
        System.out.printf("# server-side count of 5xx answers: %d%n", metrics.lines()
            .filter(l -> l.startsWith("shardy_serve_requests_seconds_count")
                && l.contains("status=\"5")).count());
      }
    }
    return 0;
  }

  private BuildResult write(WriteConfig config, String runId, byte flip) {
    byte[] value = new byte[shape.valueSize];
    return SnapshotWriter.writeSharded(() -> LongStream.range(0, rows).iterator(),
        config.toBuilder().runId(runId).build(), k -> k, k -> {
          BenchData.value(k, value);
          value[0] ^= flip; // different contents: every shard of the other run is new
          return value;
        }, WriteOptions.defaults().withParallel(true));
  }

  /** The wrk run while another thread moves _CURRENT between two runs and refreshes. */
  private JsonNode duringRefreshes(String wrk, Path script, String base, ManifestStore store,
      BuildResult a, BuildResult b, AtomicInteger refreshes) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<String> failures = new ArrayList<>();
    Thread refresher = new Thread(() -> {
      HttpClient client = HttpClient.newHttpClient();
      boolean toB = true;
      while (!stop.get()) {
        Rollback.rollbackTo(store, Rollback.Selector.ref((toB ? b : a).manifestRef()));
        toB = !toB;
        try {
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                  URI.create(base + "/v1/bench/refresh"))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200 || !r.body().contains("\"changed\":true")) {
            failures.add(r.statusCode() + " " + r.body());
          }
          refreshes.incrementAndGet();
        } catch (IOException | InterruptedException e) {
          failures.add(e.toString());
          return;
        }
      }
    }, "refresher");
    refresher.start();
    try {
      return run(wrk, script, base, "/v1/bench/keys/", seconds);
    } finally {
      stop.set(true);
      refresher.join();
      if (!failures.isEmpty()) {
        System.out.println("# refresh failures: " + failures);
      }
    }
  }

  private JsonNode run(String wrk, Path script, String base, String path, int secs)
      throws Exception {
    Process p = new ProcessBuilder(wrk, "-t" + wrkThreads, "-c" + connections, "-d" + secs + "s",
        "--timeout", "5s", "-s", script.toString(), base, "--", Long.toString(rows), path)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(secs + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    String line = out.lines().filter(l -> l.startsWith("{\"requests\"")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no figures from wrk: " + out));
    return JSON.readTree(line);
  }

  private static double rate(JsonNode r) {
    return r.get("requests").asLong() / (r.get("duration_us").asLong() / 1e6);
  }

  private static long errors(JsonNode r) {
    return r.get("errors_connect").asLong() + r.get("errors_read").asLong()
        + r.get("errors_write").asLong() + r.get("errors_status").asLong()
        + r.get("errors_timeout").asLong();
  }

  private static void print(String what, JsonNode r, double floorRate) {
    double rate = rate(r);
    System.out.printf("%-38s %,12.0f %9d %9d %9d %8d %7.2f%n", what, rate,
        r.get("p50_us").asLong(), r.get("p99_us").asLong(), r.get("p999_us").asLong(),
        errors(r), rate / floorRate);
  }

  private static String get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** wrk on the PATH, else Debian's package installed now (as bin/test installs postgresql). */
  private static String ensureWrk() throws Exception {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "wrk"))) {
        return Path.of(dir, "wrk").toString();
      }
    }
    System.err.println("shardy-bench serve: installing Debian's package wrk (apt-get install "
        + "-y wrk)");
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> sudo = root ? List.of() : List.of("sudo");
    List<String> install = new ArrayList<>(sudo);
    install.addAll(List.of("apt-get", "install", "-y", "--no-install-recommends", "wrk"));
    if (new ProcessBuilder(install).inheritIO().start().waitFor() != 0) {
      List<String> update = new ArrayList<>(sudo);
      update.addAll(List.of("apt-get", "update"));
      new ProcessBuilder(update).inheritIO().start().waitFor();
      if (new ProcessBuilder(install).inheritIO().start().waitFor() != 0) {
        throw new IllegalStateException("cannot install wrk; install it yourself "
            + "(apt-get install -y wrk) and put it on the PATH");
      }
    }
    return "wrk";
  }
}
