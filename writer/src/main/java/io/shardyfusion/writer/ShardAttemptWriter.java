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
   * builds, uploads and reports the attempt like {@link #write}, without sorting.
   *
   * @param sorted opens the shard's records in ascending key order, given a fresh directory
   *     for its own temporary files (removed with the attempt); the cursor is consumed and
   *     closed
   * @return the uploaded attempt, or null when there were no records
   */
  public static ShardAttempt writeSorted(ObjectStore store, WriteConfig config, String runId,
      int dbId, Function<Path, RecordCursor> sorted, String writerName, ShardMeta previous) {
    long start = System.nanoTime();
    String attempt = RunIds.newAttemptId();
    Path dir = config.tempDir().resolve("attempt-" + runId + "-" + dbId + "-" + attempt);
    try {
      BuiltShard shard = ShardBuild.build(config.shardBackend(), dbId,
          sorted.apply(dir.resolve("sort")), dir.resolve("db"), config.keyEncoding());
      if (shard == null) {
        return null;
      }
      return ShardUploader.upload(store, runId, attempt, shard, config.keyEncoding(),
          writerName, start, previous);
    } finally {
      deleteTree(dir);
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
