package io.shardyfusion.bench;

import io.shardyfusion.backend.rocksdb.RocksDbBackend;
import io.shardyfusion.backend.rocksdb.ShardFormatOptions;
import io.shardyfusion.backend.sqlite.PageSize;
import io.shardyfusion.backend.sqlite.SqliteBackend;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** In-process writer throughput, single and parallel, beside raw SstFileWriter. */
@Command(name = "write", mixinStandardHelpOptions = true,
    description = "In-process writer rows/s (random-order keys) vs raw SstFileWriter (sorted).")
final class WriteBench implements Callable<Integer> {
  @Option(names = "--rows", defaultValue = "10000000") long rows;
  @Mixin SnapshotShape shape;
  @Option(names = "--modes", split = ",", defaultValue = "raw,single,parallel",
      description = "any of raw (SstFileWriter), raw-sqlite (sqlite-jdbc sorted inserts), "
          + "single, parallel") List<String> modes;
  @Option(names = "--backend", defaultValue = "rocksdb",
      description = "shard backend of the writer runs: rocksdb or sqlite") String backend;
  @Option(names = "--sqlite-page-size", defaultValue = "4096",
      description = "with --backend sqlite: 4096..65536 or auto") String sqlitePageSize;
  @Option(names = "--compression", defaultValue = "none",
      description = "shard compression; none matches the raw figure") String compression;
  @Option(names = "--sort-buffer-mb", defaultValue = "64") int sortBufferMb;
  @Option(names = "--dir", description = "work directory (default: a temp dir)") Path dir;
  @Option(names = "--prefix", description = "store prefix (default: file:// under --dir)")
  String prefix;
  @Option(names = "--store", defaultValue = "file",
      description = "file, or s3 (an S3Proxy process on loopback, started here)") String storeKind;

  @Override
  public Integer call() throws Exception {
    Path work = dir != null ? dir : Files.createTempDirectory("shardy-bench-write");
    try (S3ProxyServer s3 = storeKind.equals("s3") ? S3ProxyServer.start() : null) {
      return run(work, s3);
    }
  }

  private int run(Path work, S3ProxyServer s3) throws Exception {
    BenchStore target = BenchStore.of(s3, work, "store");
    if (prefix != null) {
      target = new BenchStore(prefix, target.options(), target.credentials());
    }
    System.out.printf("# write benchmark: %,d rows, %d-byte values, %d shards, %d cores, "
        + "heap max %d MiB, compression %s, %s store%n", rows, shape.valueSize, shape.numDbs,
        Runtime.getRuntime().availableProcessors(), Memory.maxHeapMiB(), compression,
        storeKind);
    System.out.printf("%-28s %12s %10s %8s %14s %12s%n", "mode", "rows/s", "seconds", "x raw",
        "peak heap MiB", "peak RSS MiB");
    double raw = Double.NaN;
    if (modes.contains("raw")) {
      Memory.resetPeaks();
      raw = RawRocksDb.sstFileWriterRate(work.resolve("raw.sst"), rows, shape.valueSize);
      print("raw SstFileWriter (sorted)", raw, rows / raw, raw);
    }
    double rawSqlite = Double.NaN;
    if (modes.contains("raw-sqlite")) {
      Memory.resetPeaks();
      rawSqlite = RawSqlite.sortedInsertRate(work.resolve("raw.db"), rows, shape.valueSize);
      print("raw sqlite-jdbc (sorted)", rawSqlite, rows / rawSqlite, rawSqlite);
    }
    // Writer runs are shown against their own backend's raw limit.
    double base = backend.equals("sqlite") ? rawSqlite : raw;
    for (String mode : modes) {
      if (mode.startsWith("raw")) {
        continue;
      }
      boolean parallel = mode.equals("parallel");
      WriteConfig config = target.writeConfig().numDbs(shape.numDbs)
          .reuseUnchangedShards(false) // every run writes everything: a throughput figure
          .tempDir(work.resolve("tmp"))
          .shardBackend(backend.equals("sqlite")
              ? SqliteBackend.of(PageSize.parse(sqlitePageSize))
              : RocksDbBackend.of(ShardFormatOptions.defaults().withCompression(compression)))
          .build();
      byte[] value = new byte[shape.valueSize];
      Memory.resetPeaks();
      BuildResult r = SnapshotWriter.writeSharded(BenchData.keys(rows), config, k -> k,
          k -> BenchData.value(k, value),
          WriteOptions.defaults().withParallel(parallel)
              .withSortBufferBytes((long) sortBufferMb << 20));
      double rate = r.stats().rowsWritten() * 1000.0 / r.stats().totalMs();
      print("in-process " + mode + (backend.equals("sqlite") ? " (sqlite)" : ""), rate,
          r.stats().totalMs() / 1000.0, base);
      System.out.printf("  phases: sharding %d ms, build+upload %d ms, publish %d ms%n",
          r.stats().shardingMs(), r.stats().writeMs(), r.stats().manifestMs());
    }
    return 0;
  }

  private static void print(String mode, double rate, double secs, double raw) {
    System.out.printf("%-28s %,12.0f %10.2f %8.2f %14d %12d%n", mode, rate, secs,
        Double.isNaN(raw) ? Double.NaN : rate / raw, Memory.peakHeapMiB(), Memory.peakRssMiB());
  }
}
