package io.shardyfusion.bench;

import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.ops.cleanup.Cleanup;
import io.shardyfusion.ops.cleanup.CleanupListener;
import io.shardyfusion.ops.cleanup.RetentionPolicy;
import io.shardyfusion.reader.RefreshListener;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A soak: reader threads read for minutes while a writer publishes every few seconds, the
 * reader refreshes in the background and cleanup prunes old snapshots; reports errors (aim 0),
 * refreshes, and the process's open file descriptors, RSS and cached shard directories at the
 * start and the end (aim: flat, i.e. no leaked handles, mappings or files).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "N minutes of reads from several threads while a writer publishes and the "
        + "reader refreshes; errors, refreshes, open fds and RSS at start and end.",
    footer = {"", "Example (a fixed, pre-touched heap, so that RSS drift is native memory):",
        "  SHARDY_BENCH_JAVA_OPTS='-Xms768m -Xmx768m -XX:+AlwaysPreTouch' \\",
        "      bin/shardy-bench soak --minutes 5"})
final class SoakBench implements Callable<Integer> {
  @Option(names = "--minutes", defaultValue = "5", description = "duration (may be fractional)")
  double minutes;
  @Option(names = "--threads", defaultValue = "8", description = "reading threads")
  int threads;
  @Option(names = "--rows", defaultValue = "50000", description = "rows per snapshot")
  long rows;
  @Option(names = "--publish-every", defaultValue = "5", description = "seconds between "
      + "publishes (each rewrites every value, so every shard changes)")
  int publishEverySeconds;
  @Option(names = "--refresh-every", defaultValue = "2",
      description = "the reader's background refresh interval, seconds")
  int refreshEverySeconds;
  @Option(names = "--keep-last", defaultValue = "3",
      description = "cleanup after each publish keeps this many manifests (0: no cleanup)")
  int keepLast;
  @Mixin SnapshotShape shape;
  @Mixin Workspace workspace;

  private final LongAdder reads = new LongAdder();
  private final LongAdder readErrors = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final LongAdder refreshFailures = new LongAdder();
  private final LongAdder publishes = new LongAdder();
  private final LongAdder publishFailures = new LongAdder();
  // Newest generation a publish has started: readers may see it as soon as its _CURRENT is
  // written, before the writer returns (it still marks its run record, deletes losers).
  private final AtomicLong started = new AtomicLong(-1);
  private volatile String firstError;

  @Override
  public Integer call() throws Exception {
    Path work = workspace.work("soak");
    try (S3ProxyServer s3 = workspace.startS3()) {
      BenchStore store = BenchStore.of(s3, work, "soak");
      WriteConfig config = store.writeConfig().numDbs(shape.numDbs).tempDir(work.resolve("tmp"))
          .build();
      publish(config, 0);
      Path localRoot = work.resolve("reader");
      System.out.printf("# soak: %.1f min, %d reading threads, %,d rows x %d shards, publish "
          + "every %d s, refresh every %d s, cleanup keep-last %d, %s store; the machine is "
          + "shared, figures are per process (reader, writer and cleanup in one JVM)%n",
          minutes, threads, rows, shape.numDbs, publishEverySeconds, refreshEverySeconds,
          keepLast, workspace.storeKind);
      try (ShardedReader reader = ShardedReader.open(store.readerConfig().localRoot(localRoot)
          .refreshInterval(Duration.ofSeconds(refreshEverySeconds)).build());
          ObjectStore objects = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
              config.credentialProvider());
          ObjectStoreManifestStore manifests = new ObjectStoreManifestStore(objects)) {
        reader.addRefreshListener(new RefreshListener() {
          @Override
          public void onRefreshed(SnapshotInfo before, SnapshotInfo after) {
            refreshes.increment();
          }

          @Override
          public void onRefreshFailed(Exception error) {
            refreshFailures.increment();
            noteError("refresh: " + error);
          }
        });
        Cleanup cleanup = new Cleanup(manifests, objects, Clock.systemUTC());
        // Warm up: one publish refreshed in, so that the start figures include every pool,
        // mapping and cache a steady state has.
        publish(config, 1);
        reader.refresh();
        reader.evictUnusedLocalFiles(); // what the refresh's own eviction does, now
        Sample start = Sample.take(localRoot);
        printHeader();
        start.print("start", 0, this);

        long endAt = System.nanoTime() + (long) (minutes * 60e9);
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          long seed = t;
          Thread th = new Thread(() -> readLoop(reader, seed, endAt), "soak-reader-" + t);
          th.start();
          readers.add(th);
        }
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        AtomicLong gen = new AtomicLong(1);
        writer.scheduleWithFixedDelay(() -> {
          try {
            publish(config, gen.incrementAndGet());
            if (keepLast > 0) {
              cleanup.execute(cleanup.plan(RetentionPolicy.builder().keepLast(keepLast)
                  .build()), CleanupListener.NONE);
            }
          } catch (RuntimeException e) {
            publishFailures.increment();
            noteError("publish/cleanup: " + e);
          }
        }, publishEverySeconds, publishEverySeconds, TimeUnit.SECONDS);

        long t0 = System.nanoTime();
        long nextReport = t0 + TimeUnit.MINUTES.toNanos(1);
        Sample steady = null; // after the first minute: caches filled, JIT done
        for (Thread th : readers) {
          while (th.isAlive()) {
            th.join(Math.max(1, (nextReport - System.nanoTime()) / 1_000_000));
            if (System.nanoTime() >= nextReport) {
              Sample s = Sample.take(localRoot);
              s.print("minute", (System.nanoTime() - t0) / 1e9, this);
              steady = steady == null ? s : steady;
              nextReport += TimeUnit.MINUTES.toNanos(1);
            }
          }
        }
        writer.shutdown();
        writer.awaitTermination(5, TimeUnit.MINUTES);
        reader.refresh(); // catch up with the last publish
        reader.evictUnusedLocalFiles();
        System.gc();
        Sample end = Sample.take(localRoot);
        end.print("end", (System.nanoTime() - t0) / 1e9, this);
        System.out.printf("# reads %,d (%.0f/s), read errors %d, refreshes %d (failed %d), "
            + "publishes %d (failed %d); open fds %d -> %d, RSS %d -> %d MiB, heap used %d -> "
            + "%d MiB, cached shard dirs %d -> %d%n", reads.sum(),
            reads.sum() / ((System.nanoTime() - t0) / 1e9), readErrors.sum(), refreshes.sum(),
            refreshFailures.sum(), publishes.sum(), publishFailures.sum(), start.fds, end.fds,
            start.rssMiB, end.rssMiB, start.heapMiB, end.heapMiB, start.cachedDirs,
            end.cachedDirs);
        if (steady != null) {
          System.out.printf("# from minute 1 (steady: block cache filled) to the end: open fds "
              + "%d -> %d, RSS %d -> %d MiB, cached shard dirs %d -> %d%n", steady.fds, end.fds,
              steady.rssMiB, end.rssMiB, steady.cachedDirs, end.cachedDirs);
        }
        if (firstError != null) {
          System.out.println("# first error: " + firstError);
        }
        return readErrors.sum() == 0 && refreshFailures.sum() == 0
            && publishFailures.sum() == 0 ? 0 : 1;
      }
    }
  }

  /** Gets random keys; every key exists in every snapshot with value {@code g<gen>:<key>}. */
  private void readLoop(ShardedReader reader, long seed, long endAt) {
    SplittableRandom rnd = new SplittableRandom(seed);
    while (System.nanoTime() < endAt) {
      for (int i = 0; i < 256; i++) {
        long k = rnd.nextLong(rows);
        try {
          check(k, reader.get(k));
        } catch (RuntimeException e) {
          readErrors.increment();
          noteError("get " + k + ": " + e);
        }
      }
      reads.add(256);
    }
  }

  private void check(long key, byte[] value) {
    String v = value == null ? null : new String(value, StandardCharsets.UTF_8);
    int colon = v == null ? -1 : v.indexOf(':');
    if (colon < 0 || !v.substring(colon + 1).equals(Long.toString(key))
        || Long.parseLong(v.substring(1, colon)) > started.get()) {
      readErrors.increment();
      noteError("key " + key + " read " + v);
    }
  }

  private void publish(WriteConfig config, long gen) {
    String prefix = "g" + gen + ":";
    started.set(gen);
    List<Long> keys = new ArrayList<>();
    for (long k = 0; k < rows; k++) {
      keys.add(k);
    }
    SnapshotWriter.writeSharded(keys, config, k -> k,
        k -> (prefix + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(16 << 20));
    publishes.increment();
  }

  private void noteError(String e) {
    if (firstError == null) {
      firstError = e;
    }
  }

  private void printHeader() {
    System.out.printf("%-7s %8s %12s %7s %9s %9s %5s %8s %14s %11s%n", "point", "elapsed",
        "reads", "errors", "refreshes", "publishes", "fds", "rss MiB", "heap used/comm",
        "cached dirs");
  }

  /** Process figures at one moment (Linux /proc). */
  private record Sample(long fds, long rssMiB, long heapMiB, long committedMiB,
      long cachedDirs) {
    static Sample take(Path localRoot) throws IOException {
      long fds;
      try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
      }
      long rss = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
      Runtime rt = Runtime.getRuntime();
      long dirs = cachedDirs(localRoot.resolve("shards"));
      return new Sample(fds, rss, (rt.totalMemory() - rt.freeMemory()) >> 20,
          rt.totalMemory() >> 20, dirs);
    }

    /** Attempt directories in the reader's cache; retried if eviction races the listing. */
    static long cachedDirs(Path shards) throws IOException {
      for (int attempt = 1; ; attempt++) {
        try (Stream<Path> s = Files.isDirectory(shards) ? Files.find(shards, 3, (p, a) ->
            a.isDirectory() && p.getFileName().toString().startsWith("attempt="))
            : Stream.empty()) {
          return s.count();
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
          if (attempt == 5) {
            throw e;
          }
        }
      }
    }

    void print(String point, double elapsedSeconds, SoakBench b) {
      System.out.printf("%-7s %7.0fs %,12d %7d %9d %9d %5d %8d %14s %11d%n", point,
          elapsedSeconds, b.reads.sum(), b.readErrors.sum(), b.refreshes.sum(),
          b.publishes.sum(), fds, rssMiB, heapMiB + "/" + committedMiB, cachedDirs);
    }
  }
}
