package io.shardyfusion.bench;

import io.shardyfusion.ops.cleanup.Cleanup;
import io.shardyfusion.ops.cleanup.CleanupListener;
import io.shardyfusion.ops.cleanup.CleanupPlan;
import io.shardyfusion.ops.cleanup.CleanupReport;
import io.shardyfusion.ops.cleanup.RetentionPolicy;
import io.shardyfusion.manifest.postgres.PostgresConfig;
import io.shardyfusion.manifest.postgres.PostgresManifestStore;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Operating snapshots: how long history, rollback, the refresh that follows a rollback, and
 * retention cleanup take, with manifests in the object store and in PostgreSQL, beside the
 * floor of each store (one GET of {@code _CURRENT}; one {@code SELECT 1}) in the same run.
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
    description = "history / rollback / refresh-after-rollback / cleanup latencies, manifests "
        + "in the object store vs PostgreSQL, beside each store's one-request floor.")
final class OpsBench implements Callable<Integer> {
  @Option(names = "--runs", defaultValue = "50", description = "snapshots published first")
  int runs;
  @Option(names = "--rows", defaultValue = "100000", description = "rows per snapshot")
  long rows;
  @Option(names = "--num-dbs", defaultValue = "8") int numDbs;
  @Option(names = "--repeat", defaultValue = "30", description = "timed repetitions per op")
  int repeat;
  @Mixin Workspace workspace;

  @Override
  public Integer call() throws Exception {
    Path work = workspace.work("ops");
    try (S3ProxyServer s3 = workspace.startS3();
        PostgresServer pg = PostgresServer.start()) {
      System.out.printf("# ops: %d snapshots of %,d rows / %d shards (one key changes per "
          + "run, so unchanged shards are reused), shards on %s; ms per op, p50 / p99 of %d%n",
          runs, rows, numDbs, workspace.storeKind, repeat);
      System.out.printf("%-12s %-34s %10s %10s%n", "manifests", "operation", "p50 ms",
          "p99 ms");
      BenchStore objects = BenchStore.of(s3, work, "objects");
      measure("object", objects, ManifestStoreFactory.objectStore(), work, null);

      BenchStore pgShards = BenchStore.of(s3, work, "pg");
      String db = pg.createDatabase("bench");
      PostgresConfig pgc = PostgresConfig.builder().jdbcUrl(pg.jdbcUrl(db)).user(pg.user())
          .dataset("bench").build();
      measure("postgres", pgShards, PostgresManifestStore.factory(pgc), work, pg.connect(db));
    }
    return 0;
  }

  private void measure(String kind, BenchStore store, ManifestStoreFactory factory, Path work,
      Connection sql) throws Exception {
    WriteConfig base = store.writeConfig().numDbs(numDbs).tempDir(work.resolve("tmp"))
        .manifestStore(factory).build();
    long t0 = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      long changed = BenchData.key(i % rows);
      byte[] value = new byte[100];
      int run = i;
      SnapshotWriter.writeSharded(BenchData.keys(rows), base.toBuilder().runId("run" + i)
          .build(), k -> k, k -> {
            BenchData.value(k, value);
            if (k == changed) {
              value[0] ^= (byte) (run + 1);
            }
            return value;
          }, WriteOptions.defaults().withParallel(true));
    }
    print(kind, "publish " + runs + " snapshots (total)",
        once((System.nanoTime() - t0) / 1e6));

    try (ObjectStore objects = ObjectStores.open(store.prefix(), store.options(),
        store.credentials());
        ManifestStore manifests = factory.open(objects)) {
      print(kind, "floor: " + (sql == null ? "GET _CURRENT" : "SELECT 1"), time(() -> {
        if (sql == null) {
          objects.getIfExists(SnapshotLayout.CURRENT);
        } else {
          try (Statement st = sql.createStatement()) {
            st.execute("SELECT 1");
          }
        }
      }));
      print(kind, "loadCurrent", time(manifests::loadCurrent));
      print(kind, "history --limit 20", time(() -> manifests.listManifests(20)));
      print(kind, "history, all " + runs, time(() -> manifests.listManifests(Integer.MAX_VALUE)));
      int[] flip = {0};
      print(kind, "rollback (offset 1, then back)", time(() -> Rollback.rollbackTo(manifests,
          (flip[0]++ % 2 == 0) ? Rollback.Selector.offset(1)
              : Rollback.Selector.runId("run" + (runs - 1)))));

      try (ShardedReader reader = ShardedReader.open(store.readerConfig()
          .localRoot(work.resolve("reader-" + kind)).manifestStore(factory).build())) {
        int[] k = {0};
        print(kind, "rollback + reader refresh", time(() -> {
          Rollback.rollbackTo(manifests, (k[0]++ % 2 == 0) ? Rollback.Selector.offset(1)
              : Rollback.Selector.runId("run" + (runs - 1)));
          if (!reader.refresh()) {
            throw new IllegalStateException("refresh after a rollback found nothing new");
          }
        }));
      }
      Rollback.rollbackTo(manifests, Rollback.Selector.runId("run" + (runs - 1)));

      Cleanup cleanup = new Cleanup(manifests, objects, Clock.systemUTC());
      RetentionPolicy keep5 = RetentionPolicy.builder().keepLast(5).build();
      long p0 = System.nanoTime();
      CleanupPlan plan = cleanup.plan(keep5);
      double planMs = (System.nanoTime() - p0) / 1e6;
      long e0 = System.nanoTime();
      CleanupReport report = cleanup.execute(plan, CleanupListener.NONE);
      double execMs = (System.nanoTime() - e0) / 1e6;
      print(kind, "cleanup plan (keep-last 5)", once(planMs));
      print(kind, String.format("cleanup execute (%d manifests, %d objects)",
          report.manifestsDeleted(), report.objectsDeleted()), once(execMs));
    }
  }

  private interface Op {
    void run() throws Exception;
  }

  private Histogram time(Op op) throws Exception {
    op.run(); // warm
    Histogram h = new Histogram(3);
    for (int i = 0; i < repeat; i++) {
      long t = System.nanoTime();
      op.run();
      h.recordValue(Math.max(1, (System.nanoTime() - t) / 1_000));
    }
    return h;
  }

  private static Histogram once(double ms) {
    Histogram h = new Histogram(3);
    h.recordValue(Math.max(1, (long) (ms * 1000)));
    return h;
  }

  private static void print(String kind, String op, Histogram h) {
    System.out.printf("%-12s %-34s %10.2f %10.2f%n", kind, op,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
  }
}
