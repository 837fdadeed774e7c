package io.shardyfusion.bench;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.CountingObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Object-store requests and bytes per write and per refresh, counted at the store interface:
 * the seed's cost table, measured instead of estimated.
 */
@Command(name = "cost", mixinStandardHelpOptions = true,
    description = "Counts PUT/GET/LIST/DELETE requests and bytes of a write, an open, a full "
        + "refresh and a refresh after a one-key change.")
final class CostBench implements Callable<Integer> {
  @Option(names = "--rows", defaultValue = "1000000") long rows;
  @Option(names = "--backend", defaultValue = "rocksdb",
      description = "shard backend: rocksdb or sqlite") String backend;
  @Mixin SnapshotShape shape;
  @Mixin Workspace workspace;

  @Override
  public Integer call() throws Exception {
    Path work = workspace.work("cost");
    CountingObjectStore.Counts counts = new CountingObjectStore.Counts();
    try (S3ProxyServer s3 = workspace.startS3();
        AutoCloseable on = ObjectStores.instrument(s -> new CountingObjectStore(s, counts))) {
      BenchStore store = BenchStore.of(s3, work, "cost");
      WriteConfig.Builder wb = store.writeConfig().numDbs(shape.numDbs)
          .tempDir(work.resolve("tmp"));
      WriteConfig config = (backend.equals("sqlite")
          ? wb.shardBackend(io.shardyfusion.backend.sqlite.SqliteBackend.defaults()) : wb)
          .build();
      System.out.printf("# cost: %,d rows, %d " + backend + " shards, %d-byte values, %s "
          + "store; requests "
          + "counted at the ObjectStore interface (a LIST is one per 1000 keys)%n", rows,
          shape.numDbs, shape.valueSize, workspace.storeKind);
      System.out.printf("%-36s %6s %6s %6s %7s %12s %12s%n", "operation", "PUT", "GET", "LIST",
          "DELETE", "bytes up", "bytes down");

      byte[] value = new byte[shape.valueSize];
      CountingObjectStore.Snapshot t0 = counts.snapshot();
      write(config, k -> BenchData.value(k, value));
      CountingObjectStore.Snapshot t1 = counts.snapshot();
      print("write (first snapshot)", t1.minus(t0));

      ReaderConfig rc = store.readerConfig().localRoot(work.resolve("reader")).build();
      try (ShardedReader reader = ShardedReader.open(rc)) {
        CountingObjectStore.Snapshot t2 = counts.snapshot();
        print("reader open", t2.minus(t1));

        write(config, k -> {
          BenchData.value(k, value);
          value[0] ^= 1;
          return value;
        });
        CountingObjectStore.Snapshot t3 = counts.snapshot();
        print("write (every shard changed)", t3.minus(t2));
        reader.refresh();
        CountingObjectStore.Snapshot t4 = counts.snapshot();
        print("refresh (every shard changed)", t4.minus(t3));

        long changedKey = BenchData.key(0);
        write(config, k -> {
          BenchData.value(k, value);
          value[0] ^= 1;
          if (k == changedKey) {
            value[1] ^= 1;
          }
          return value;
        });
        CountingObjectStore.Snapshot t5 = counts.snapshot();
        print("write (one key changed)", t5.minus(t4));
        reader.refresh();
        print("refresh (one key changed)", counts.snapshot().minus(t5));
      }
    }
    return 0;
  }

  private void write(WriteConfig config, java.util.function.Function<Long, byte[]> valueFn) {
    SnapshotWriter.writeSharded(BenchData.keys(rows), config, k -> k, valueFn,
        WriteOptions.defaults().withParallel(true));
  }

  private static void print(String op, CountingObjectStore.Snapshot c) {
    System.out.printf("%-36s %6d %6d %6d %7d %,12d %,12d%n", op, c.puts(), c.gets(), c.lists(),
        c.deletes(), c.putBytes(), c.getBytes());
  }
}
