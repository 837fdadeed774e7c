package io.shardyfusion.bench;

import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.routing.ShardHash;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Reader latency and throughput beside raw RocksDB gets on the same shard files. */
@Command(name = "read", mixinStandardHelpOptions = true,
    description = "ShardedReader get/multiGet latency vs raw RocksDB on the same files.")
final class ReadBench implements Callable<Integer> {
  @Option(names = "--rows", defaultValue = "8000000") long rows;
  @Mixin SnapshotShape shape;
  @Option(names = "--ops", defaultValue = "1000000", description = "timed gets per figure")
  int ops;
  @Option(names = "--seconds", defaultValue = "5", description = "duration of throughput runs")
  int seconds;
  @Option(names = "--dir") Path dir;
  @Option(names = "--compression", defaultValue = "none",
      description = "shard compression (none matches the raw figures in DESIGN.md)")
  String compression;
  @Option(names = "--store", defaultValue = "file",
      description = "file, or s3 (an S3Proxy process on loopback, started here)") String storeKind;
  @Option(names = "--readers-during-refresh", defaultValue = "10") int refreshReaders;
  @Option(names = "--backend", defaultValue = "rocksdb",
      description = "shard backend: rocksdb (raw figures: RocksDB gets) or sqlite (raw "
          + "figures: sqlite-jdbc SELECTs on the same files)") String backend;
  @Option(names = "--block-cache-mb", defaultValue = "1024",
      description = "reader block cache; the raw figures use the same size") long blockCacheMb;
  @Option(names = "--metrics",
      description = "also compare get() with metrics on (a Prometheus registry) and off: two "
          + "readers of the same snapshot, timed in alternating rounds on one thread")
  boolean metrics;

  @Override
  public Integer call() throws Exception {
    Path work = dir != null ? dir : Files.createTempDirectory("shardy-bench-read");
    S3ProxyServer s3 = storeKind.equals("s3") ? S3ProxyServer.start() : null;
    BenchStore store = BenchStore.of(s3, work, "store");
    WriteConfig.Builder wb = store.writeConfig().numDbs(shape.numDbs)
        .tempDir(work.resolve("tmp"));
    WriteConfig config = (backend.equals("sqlite")
        ? wb.shardBackend(io.shardyfusion.backend.sqlite.SqliteBackend.defaults())
        : wb.shardFormat(io.shardyfusion.backend.rocksdb.ShardFormatOptions.defaults()
            .withCompression(compression))).build();
    byte[] value = new byte[shape.valueSize];
    BuildResult built = SnapshotWriter.writeSharded(BenchData.keys(rows), config, k -> k,
        k -> BenchData.value(k, value), WriteOptions.defaults().withParallel(true));
    System.out.printf("# read benchmark: %,d rows in %d %s shards, %d-byte values, %d cores, "
        + "compression %s, %d MiB block cache%n", rows, shape.numDbs, backend, shape.valueSize,
        Runtime.getRuntime().availableProcessors(), compression, blockCacheMb);
    System.out.printf("%-34s %10s %10s %10s %14s%n", "operation", "p50 us", "p95 us", "p99 us",
        "ops/s");

    ReaderConfig rc = store.readerConfig().localRoot(work.resolve("reader"))
        .blockCacheBytes(blockCacheMb << 20).build();
    long t0open = System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(42);
    try (ShardedReader reader = ShardedReader.open(rc)) {
      System.out.printf("%-34s %,10.0f ms  (%s store, download + verify + open)%n",
          "open()", (System.nanoTime() - t0open) / 1e6, storeKind);
      Histogram cold = new Histogram(3);
      for (int i = 0; i < 1000; i++) {
        long k = BenchData.key(rnd.nextLong(rows));
        long t = System.nanoTime();
        reader.get(k);
        cold.recordValue((System.nanoTime() - t));
      }
      print("get() cold (first 1000 after open)", cold, Double.NaN);
      warm(reader, rnd);
      Histogram h = new Histogram(3);
      long nanos = timedGets(reader, 43, ops, h);
      print("get() warm, 1 thread", h, ops / (nanos / 1e9));
      print("get() warm, 2 threads", null, throughput(reader, 2));
      if (metrics) {
        metricsOnOff(reader, store, work);
      }
      Histogram mg = new Histogram(3);
      for (int i = 0; i < 20_000; i++) {
        List<Long> keys = new ArrayList<>(100);
        for (int j = 0; j < 100; j++) {
          keys.add(BenchData.key(rnd.nextLong(rows)));
        }
        long t = System.nanoTime();
        reader.multiGet(keys);
        mg.recordValue(System.nanoTime() - t);
      }
      print("multiGet(100 random keys)", mg, Double.NaN);
      // Before the refresh evicts these shard files.
      if (backend.equals("sqlite")) {
        rawSqliteFigures(work, built, rnd);
      } else {
        rawFigures(work, built, rnd);
      }
      refreshUnderLoad(reader, config, value);
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
    return 0;
  }

  /**
   * Publishes a second snapshot of the same size, then refreshes while {@code refreshReaders}
   * threads read: the refresh time, and get() latency idle versus during the refresh.
   */
  private void refreshUnderLoad(ShardedReader reader, WriteConfig config, byte[] value)
      throws Exception {
    byte[] v2 = new byte[shape.valueSize];
    SnapshotWriter.writeSharded(BenchData.keys(rows), config.toBuilder()
        .reuseUnchangedShards(false).build(), k -> k, k -> {
          BenchData.value(k, v2);
          v2[0] ^= 1; // different contents: every shard is new
          return v2;
        }, WriteOptions.defaults().withParallel(true));
    final int idle = 0;
    final int refreshing = 1;
    final int done = 2;
    java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();
    Histogram[][] hs = new Histogram[refreshReaders][2];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < refreshReaders; t++) {
      Histogram[] mine = hs[t];
      mine[0] = new Histogram(3);
      mine[1] = new Histogram(3);
      long seed = 100 + t;
      threads.add(new Thread(() -> {
        SplittableRandom r = new SplittableRandom(seed);
        for (int ph = phase.get(); ph != done; ph = phase.get()) {
          long k = BenchData.key(r.nextLong(rows));
          long t1 = System.nanoTime();
          try {
            if (reader.get(k) == null) {
              errors.incrementAndGet();
            }
          } catch (RuntimeException e) {
            errors.incrementAndGet();
          }
          mine[ph].recordValue(System.nanoTime() - t1);
        }
      }));
    }
    threads.forEach(Thread::start);
    Thread.sleep(3000); // a benchmark, not a test: an idle window to compare with
    phase.set(refreshing);
    long t0 = System.nanoTime();
    boolean swapped = reader.refresh();
    double refreshMs = (System.nanoTime() - t0) / 1e6;
    phase.set(done);
    for (Thread th : threads) {
      th.join();
    }
    Histogram idleH = new Histogram(3);
    Histogram busyH = new Histogram(3);
    for (Histogram[] h : hs) {
      idleH.add(h[0]);
      busyH.add(h[1]);
    }
    System.out.printf("%-34s %,10.0f ms  (swapped=%s, %s store, %d reading threads, "
        + "errors=%d)%n", "refresh() to a new snapshot", refreshMs, swapped, storeKind,
        refreshReaders, errors.get());
    print("get() idle, " + refreshReaders + " threads", idleH, Double.NaN);
    print("get() during refresh, " + refreshReaders + " thr", busyH, Double.NaN);
  }

  /**
   * get() with metrics off ({@code off}, the reader above) and on (a second reader of the same
   * snapshot, its own local copy and block cache of the same size, registered in a Prometheus
   * registry), in 20 alternating rounds on one thread over the same keys, so that machine noise
   * falls on both alike.
   */
  private void metricsOnOff(ShardedReader off, BenchStore store, Path work) {
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
            io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    try (ShardedReader on = ShardedReader.open(store.readerConfig()
        .localRoot(work.resolve("reader-metrics")).blockCacheBytes(blockCacheMb << 20)
        .meterRegistry(prometheus).build())) {
      warm(on, new SplittableRandom(7));
      warm(off, new SplittableRandom(7));
      Histogram hOff = new Histogram(3);
      Histogram hOn = new Histogram(3);
      long nanosOff = 0;
      long nanosOn = 0;
      int rounds = 20;
      int perRound = Math.max(1, ops / rounds);
      for (int round = 0; round < rounds; round++) {
        long seed = 1000 + round;
        // Alternate which goes first, so that neither always runs on a warmer cache.
        if (round % 2 == 0) {
          nanosOff += timedGets(off, seed, perRound, hOff);
          nanosOn += timedGets(on, seed, perRound, hOn);
        } else {
          nanosOn += timedGets(on, seed, perRound, hOn);
          nanosOff += timedGets(off, seed, perRound, hOff);
        }
      }
      long total = (long) rounds * perRound;
      print("get() metrics off, 1 thread", hOff, total / (nanosOff / 1e9));
      print("get() metrics on (Prometheus)", hOn, total / (nanosOn / 1e9));
      double counted = prometheus.get("shardyfusion.reader.get.duration").timer().count();
      System.out.printf("%-34s p50 %.3f, p99 %.3f, mean %.3f (on/off; %,.0f gets counted)%n",
          "metrics on / off", ratio(hOn, hOff, 50), ratio(hOn, hOff, 99),
          (double) nanosOn / nanosOff, counted);
    }
  }

  private static double ratio(Histogram on, Histogram off, double percentile) {
    return (double) on.getValueAtPercentile(percentile) / off.getValueAtPercentile(percentile);
  }

  private long timedGets(ShardedReader reader, long seed, int n, Histogram h) {
    SplittableRandom r = new SplittableRandom(seed);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long k = BenchData.key(r.nextLong(rows));
      long t = System.nanoTime();
      if (reader.get(k) == null) {
        throw new IllegalStateException("key " + k + " missing");
      }
      h.recordValue(System.nanoTime() - t);
    }
    return System.nanoTime() - start;
  }

  private void warm(ShardedReader reader, SplittableRandom rnd) {
    for (int i = 0; i < ops; i++) {
      reader.get(BenchData.key(rnd.nextLong(rows)));
    }
  }

  private double throughput(ShardedReader reader, int threads) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = t;
      Thread th = new Thread(() -> {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 0;
        while ((n & 1023) != 0 || System.nanoTime() < deadline) {
          reader.get(BenchData.key(r.nextLong(rows)));
          n++;
        }
        done.addAndGet(n);
      });
      ts.add(th);
    }
    long t0 = System.nanoTime();
    ts.forEach(Thread::start);
    for (Thread th : ts) {
      th.join();
    }
    return done.get() / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * The raw limit: the same shard files opened directly with RocksDB, one shared block cache of
   * the same size, the key's shard found with the same hash; no reader around it.
   */
  /** sqlite-jdbc alone on the reader's local shard files: one connection per shard. */
  private void rawSqliteFigures(Path work, BuildResult built, SplittableRandom rnd)
      throws Exception {
    java.sql.PreparedStatement[] byId = new java.sql.PreparedStatement[shape.numDbs];
    List<java.sql.Connection> open = new ArrayList<>();
    try {
      for (ShardMeta shard : built.winners()) {
        String rel = shard.dbUrl().substring(shard.dbUrl().indexOf("/shards/") + 1);
        // The settings a tuned raw reader would pick too: read-only, immutable, mmap'd.
        org.sqlite.SQLiteConfig sc = new org.sqlite.SQLiteConfig();
        sc.setReadOnly(true);
        sc.setOpenMode(org.sqlite.SQLiteOpenMode.OPEN_URI);
        java.sql.Connection c = sc.createConnection("jdbc:sqlite:file:"
            + work.resolve("reader").resolve(rel).resolve("shard.db").toAbsolutePath()
            + "?immutable=1");
        try (java.sql.Statement st = c.createStatement()) {
          st.execute("PRAGMA mmap_size=1073741824");
        }
        open.add(c);
        byId[shard.dbId()] = c.prepareStatement("SELECT v FROM kv WHERE k = ?");
      }
      for (int i = 0; i < ops; i++) {
        select(byId, BenchData.key(rnd.nextLong(rows)));
      }
      Histogram h = new Histogram(3);
      long t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) {
        long k = BenchData.key(rnd.nextLong(rows));
        long t = System.nanoTime();
        select(byId, k);
        h.recordValue(System.nanoTime() - t);
      }
      print("raw sqlite SELECT, 1 thread", h, ops / ((System.nanoTime() - t0) / 1e9));
      Histogram mg = new Histogram(3);
      for (int i = 0; i < 20_000; i++) {
        long t = System.nanoTime();
        for (int j = 0; j < 100; j++) {
          select(byId, BenchData.key(rnd.nextLong(rows)));
        }
        mg.recordValue(System.nanoTime() - t);
      }
      print("raw sqlite 100 SELECTs", mg, Double.NaN);
    } finally {
      for (java.sql.Connection c : open) {
        c.close();
      }
    }
  }

  private void select(java.sql.PreparedStatement[] byId, long k) throws java.sql.SQLException {
    java.sql.PreparedStatement ps = byId[ShardHash.shardOf(ShardHash.digest(k), shape.numDbs)];
    ps.setBytes(1, KeyEncoding.encodeU64(k));
    try (java.sql.ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("key " + k + " missing from its shard");
      }
      rs.getBytes(1);
    }
  }

  private void rawFigures(Path work, BuildResult built, SplittableRandom rnd) throws Exception {
    List<RocksDB> dbs = new ArrayList<>();
    try (LRUCache cache = new LRUCache(blockCacheMb << 20);
        BloomFilter filter = new BloomFilter(10);
        Options options = new Options().setMaxOpenFiles(-1).setTableFormatConfig(
            new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(filter))) {
      RocksDB[] byId = new RocksDB[shape.numDbs];
      for (ShardMeta shard : built.winners()) {
        String rel = shard.dbUrl().substring(shard.dbUrl().indexOf("/shards/") + 1);
        RocksDB db = RocksDB.openReadOnly(options, work.resolve("reader").resolve(rel).toString());
        dbs.add(db);
        byId[shard.dbId()] = db;
      }
      for (int i = 0; i < ops; i++) {
        long k = BenchData.key(rnd.nextLong(rows));
        byId[ShardHash.shardOf(ShardHash.digest(k), shape.numDbs)].get(KeyEncoding.encodeU64(k));
      }
      Histogram h = new Histogram(3);
      long t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) {
        long k = BenchData.key(rnd.nextLong(rows));
        long t = System.nanoTime();
        byId[ShardHash.shardOf(ShardHash.digest(k), shape.numDbs)].get(KeyEncoding.encodeU64(k));
        h.recordValue(System.nanoTime() - t);
      }
      print("raw RocksDB get(), 1 thread", h, ops / ((System.nanoTime() - t0) / 1e9));
      Histogram mg = new Histogram(3);
      RocksDB one = byId[built.winners().get(0).dbId()];
      List<byte[]> ownKeys = new ArrayList<>();
      for (long i = 0; ownKeys.size() < 100_000 && i < rows; i++) {
        long k = BenchData.key(i);
        if (byId[ShardHash.shardOf(ShardHash.digest(k), shape.numDbs)] == one) {
          ownKeys.add(KeyEncoding.encodeU64(k));
        }
      }
      for (int i = 0; i < 20_000; i++) {
        List<byte[]> batch = new ArrayList<>(100);
        for (int j = 0; j < 100; j++) {
          batch.add(ownKeys.get(rnd.nextInt(ownKeys.size())));
        }
        long t = System.nanoTime();
        one.multiGetAsList(batch);
        mg.recordValue(System.nanoTime() - t);
      }
      print("raw multiGetAsList(100), 1 shard", mg, Double.NaN);
    } finally {
      dbs.forEach(RocksDB::close);
    }
  }

  private static void print(String op, Histogram h, double opsPerSec) {
    if (h == null) {
      System.out.printf("%-34s %10s %10s %10s %,14.0f%n", op, "-", "-", "-", opsPerSec);
      return;
    }
    System.out.printf("%-34s %10.1f %10.1f %10.1f %14s%n", op,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(95) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        Double.isNaN(opsPerSec) ? "-" : String.format("%,.0f", opsPerSec));
  }
}
