package io.shardyfusion.writer;

import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.writer.publish.RunIds;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.publish.ShardUploader;
import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.writer.sort.ExternalSorter;
import io.shardyfusion.writer.sort.RecordCursor;
import io.shardyfusion.writer.sort.ShardBuild;
import io.shardyfusion.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One attempt at one shard, for distributed writers (a Beam DoFn gets one shard's records as
 * an iterable): sort the records in bounded heap, build the RocksDB database, upload it to a
 * fresh attempt directory, and report the attempt. Retried or speculative attempts each get
 * their own directory, so none can overwrite another.
 */
public final class ShardAttemptWriter {
  private ShardAttemptWriter() {}

  /**
   * @param records calls its argument once per (encoded key, value) record of shard
   *     {@code dbId}; may be a one-pass stream larger than memory
   * @param previous this shard in the snapshot being replaced (reused if unchanged), or null
   * @return the uploaded attempt, or null when there were no records
   */
  public static ShardAttempt write(ObjectStore store, WriteConfig config, String runId,
      int dbId, Consumer<BiConsumer<byte[], byte[]>> records, long sortBufferBytes,
      String writerName, ShardMeta previous) {
    // The sorter's spill files live in the attempt's directory, which the attempt removes.
    return writeSorted(store, config, runId, dbId, sortDir -> {
      ExternalSorter sorter = new ExternalSorter(sortDir, sortBufferBytes, null);
      records.accept((k, v) -> sorter.add(dbId, k, v));
      sorter.finishInput();
      return sorter.cursor(dbId);
    }, writerName, previous);
  }

  /**
   * One attempt from records that arrive already sorted (a distributed sort's runs, merged):
   * builds, uploads and reports the attempt like {@link #write}, without sorting;
   * {@link #writeRecords} then {@link Written#upload()}.
   *
   * @param sorted opens the shard's records in ascending key order, given a fresh directory
   *     for its own temporary files (removed with the attempt); the cursor is consumed and
   *     closed
   * @return the uploaded attempt, or null when there were no records
   */
  public static ShardAttempt writeSorted(ObjectStore store, WriteConfig config, String runId,
      int dbId, Function<Path, RecordCursor> sorted, String writerName, ShardMeta previous) {
    Written written = writeRecords(store, config, runId, dbId, sorted, writerName, previous,
        () -> { });
    return written == null ? null : written.upload();
  }

  /**
   * The CPU-bound half of {@link #writeSorted}: streams the sorted records into the shard's
   * files, on the calling thread (the one that may read the records' source, e.g. a Beam
   * group). {@link Written#upload()} does the I/O-bound rest (finish, fsync, checksum, upload)
   * and may run on another thread, so a task can write its next shard meanwhile.
   *
   * @param afterUpload runs after a successful upload (the run renews its lease)
   * @return the written shard, or null when there were no records
   */
  public static Written writeRecords(ObjectStore store, WriteConfig config, String runId,
      int dbId, Function<Path, RecordCursor> sorted, String writerName, ShardMeta previous,
      Runnable afterUpload) {
    long start = System.nanoTime();
    String attempt = RunIds.newAttemptId();
    Path dir = config.tempDir().resolve("attempt-" + runId + "-" + dbId + "-" + attempt);
    ShardBuild.Pending pending;
    try {
      pending = ShardBuild.write(config.shardBackend(), dbId, sorted.apply(dir.resolve("sort")),
          dir.resolve("db"), config.keyEncoding());
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
    // The merge's spill files are read: free their disk before the shard waits for upload.
    deleteTree(dir.resolve("sort"));
    if (pending == null) {
      deleteTree(dir);
      return null;
    }
    return new Written(store, config, runId, attempt, dir, pending, writerName, previous, start,
        afterUpload);
  }

  /**
   * A shard whose records are written and whose files are not yet finished or uploaded: call
   * {@link #upload()} once, or {@link #close()} to abandon it. Either removes its directory.
   */
  public static final class Written implements AutoCloseable {
    private final ObjectStore store;
    private final WriteConfig config;
    private final String runId;
    private final String attempt;
    private final Path dir;
    private final ShardBuild.Pending pending;
    private final String writerName;
    private final ShardMeta previous;
    private final long startNanos;
    private final Runnable afterUpload;

    private Written(ObjectStore store, WriteConfig config, String runId, String attempt,
        Path dir, ShardBuild.Pending pending, String writerName, ShardMeta previous,
        long startNanos, Runnable afterUpload) {
      this.store = store;
      this.config = config;
      this.runId = runId;
      this.attempt = attempt;
      this.dir = dir;
      this.pending = pending;
      this.writerName = writerName;
      this.previous = previous;
      this.startNanos = startNanos;
      this.afterUpload = afterUpload;
    }

    public int dbId() {
      return pending.dbId();
    }

    /** Finishes the shard's files and uploads them as the attempt; the attempt uploaded. */
    public ShardAttempt upload() {
      try {
        BuiltShard shard = pending.complete();
        ShardAttempt uploaded = ShardUploader.upload(store, runId, attempt, shard,
            config.keyEncoding(), writerName, startNanos, previous);
        afterUpload.run();
        return uploaded;
      } finally {
        close();
      }
    }

    /** Releases the shard's builder and deletes its local files; idempotent. */
    @Override
    public void close() {
      try {
        pending.close();
      } finally {
        deleteTree(dir);
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temporary files only; the next build uses a fresh directory
    }
  }
}
