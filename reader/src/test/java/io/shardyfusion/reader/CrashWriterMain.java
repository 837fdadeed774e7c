package io.shardyfusion.reader;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.routing.RecordRouter;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.RunLifecycle;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import io.shardyfusion.writer.publish.ShardAttempt;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer process for the crash tests: writes keys {@code 0..n-1} with values {@code tag:key}
 * to an S3 prefix and stops (see {@link PausingObjectStore}) at the phase asked for, where the
 * test kills it. Prints {@code DONE <runId>} if it was not stopped.
 *
 * <p>Args: endpoint accessKey secretKey region prefix tempDir phase nth tag keys mode backend
 * ({@code rocksdb} or {@code sqlite}), where
 * mode is {@code writer} (the in-process {@link SnapshotWriter}, as applications call it) or
 * {@code losers} (the same {@link RunLifecycle} steps a Beam job runs, with a second, losing
 * attempt at shard 0, as a retried bundle leaves: the only way a run has losers to clean up).
 */
public final class CrashWriterMain {
  static final Duration LEASE = Duration.ofMinutes(1);

  public static void main(String[] args) {
    S3ConnectionOptions options = S3ConnectionOptions.builder().endpointUrl(args[0])
        .addressingStyle("path").region(args[3]).build();
    WriteConfig config = WriteConfig.builder().numDbs(TestSnapshots.NUM_DBS).s3Prefix(args[4])
        .credentialProvider(new StaticCredentialProvider(args[1], args[2]))
        .s3ConnectionOptions(options).tempDir(Path.of(args[5])).runLease(LEASE)
        .shardBackend(backend(args[11])).build();
    PausingObjectStore.Phase phase = PausingObjectStore.Phase.valueOf(args[6]);
    int nth = Integer.parseInt(args[7]);
    String tag = args[8];
    List<Long> keys = TestSnapshots.keys(0, Long.parseLong(args[9]));
    AtomicInteger matches = new AtomicInteger();
    ObjectStores.instrument(s -> new PausingObjectStore(s, phase, nth, matches));
    String runId = args[10].equals("losers") ? writeWithLosers(config, keys, tag)
        : SnapshotWriter.writeSharded(keys, config, k -> k, k -> TestSnapshots.valueBytes(tag, k),
            WriteOptions.defaults().withSortBufferBytes(1 << 20)).runId();
    System.out.println("DONE " + runId);
  }

  /** The backend by its manifest name, with its defaults. */
  static io.shardyfusion.backend.ShardBackend backend(String name) {
    return io.shardyfusion.backend.ShardBackends.forName(name);
  }

  /** The lifecycle's steps with two attempts at shard 0; the later one loses or wins at random. */
  private static String writeWithLosers(WriteConfig config, List<Long> keys, String tag) {
    RunLifecycle lifecycle = RunLifecycle.create(config, "crash-test", RunLifecycle.Retries.NONE);
    ShardCount count = config.shardCount().resolve(keys::size);
    RecordRouter router = new RecordRouter(count.router(config.sharding(), config.keyEncoding()),
        config.keyEncoding());
    Map<Integer, List<RecordRouter.Record>> byShard = new TreeMap<>();
    for (long k : keys) {
      RecordRouter.Record r = router.prepare(k, x -> x, null, x -> TestSnapshots.valueBytes(tag, x),
          () -> "key " + k);
      byShard.computeIfAbsent(r.dbId(), x -> new ArrayList<>()).add(r);
    }
    try (ObjectStore store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
        ManifestStore manifests = config.openManifestStore(store)) {
      RunLifecycle.Run run = lifecycle.begin(store, manifests);
      try {
        List<ShardAttempt> attempts = new ArrayList<>();
        for (Map.Entry<Integer, List<RecordRouter.Record>> e : byShard.entrySet()) {
          int times = e.getKey() == 0 ? 2 : 1;
          for (int i = 0; i < times; i++) {
            attempts.add(run.attempt(e.getKey(), sink -> e.getValue()
                .forEach(r -> sink.accept(r.key(), r.value())), 1 << 20));
          }
        }
        BuildResult result = run.publish(attempts, count, 0);
        return result.runId();
      } catch (RuntimeException e) {
        throw run.fail(e);
      }
    }
  }
}
