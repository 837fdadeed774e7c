package io.shardyfusion.writer.sort;

import io.shardyfusion.errors.ShardBuildException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Sorts an unbounded stream of (shard id, key, value) records in a fixed amount of heap: records
 * fill a {@link SortBuffer}; a full buffer is sorted and spilled to a {@link SpillRun} file; at
 * the end each shard's records are read back as one ascending stream that merges its segment of
 * every run with what is still in memory.
 *
 * <p>With a spill executor, two buffers alternate: the caller fills one while the other is
 * sorted and written on the executor, so routing and sorting overlap on two cores. Heap use is
 * then two buffers instead of one.
 *
 * <p>Not thread-safe for {@link #add}; after {@link #finishInput()} any number of threads may
 * read different shards' cursors concurrently.
 */
public final class ExternalSorter implements Closeable {
  private final Path tempDir;
  private final long bufferBytes;
  private final ExecutorService spillExecutor;
  private final List<SpillRun> runs = new ArrayList<>();
  private SortBuffer active;
  private SortBuffer spare;
  private CompletableFuture<SortBuffer> pendingSpill;
  private long[] recordsPerShard = new long[16];
  private int maxShardId = -1;
  private long totalRecords;
  private long totalBytes;
  private boolean finished;
  private int[] memoryStart;
  private int[] memoryEnd;

  /**
   * @param tempDir where spill files go (created if missing; must have room for the input)
   * @param bufferBytes heap for one sort buffer
   * @param spillExecutor runs sort+spill in the background, or null to do it inline
   */
  public ExternalSorter(Path tempDir, long bufferBytes, ExecutorService spillExecutor) {
    this.tempDir = tempDir;
    this.bufferBytes = bufferBytes;
    this.spillExecutor = spillExecutor;
    try {
      Files.createDirectories(tempDir);
    } catch (IOException e) {
      throw new ShardBuildException("cannot create the build directory " + tempDir
          + ": " + e.getMessage() + "; point localRoot/tempDir at a writable disk", false, e);
    }
    this.active = new SortBuffer(bufferBytes);
  }

  /** Adds a record. Keys and values are copied; the arrays may be reused by the caller. */
  public void add(int shardId, byte[] key, byte[] value) {
    if (finished) {
      throw new ShardBuildException("add() after finishInput(): the sorter takes no more "
          + "records once its input is finished", false, null);
    }
    if (!active.add(shardId, key, value)) {
      if (!active.canEverHold(key.length, value.length)) {
        throw new ShardBuildException("a record of " + (key.length + value.length)
            + " bytes is larger than the sort buffer (" + bufferBytes + " bytes); raise "
            + "sortBufferBytes above the largest record", false, null);
      }
      spillActive();
      active.add(shardId, key, value);
    }
    if (shardId >= recordsPerShard.length) {
      recordsPerShard = Arrays.copyOf(recordsPerShard, Math.max(shardId + 1,
          recordsPerShard.length * 2));
    }
    recordsPerShard[shardId]++;
    maxShardId = Math.max(maxShardId, shardId);
    totalRecords++;
    totalBytes += key.length + value.length;
  }

  private void spillActive() {
    SortBuffer full = active;
    Path file = tempDir.resolve("run-" + runs.size() + ".spill");
    if (spillExecutor == null) {
      full.sort();
      runs.add(SpillRun.write(full, file));
      full.clear();
      return;
    }
    SortBuffer next = awaitPendingSpill();
    active = next != null ? next : (spare != null ? spare : new SortBuffer(bufferBytes));
    spare = null;
    int runIndex = runs.size();
    runs.add(null); // reserve the slot so file names and order stay stable
    pendingSpill = CompletableFuture.supplyAsync(() -> {
      full.sort();
      runs.set(runIndex, SpillRun.write(full, file));
      full.clear();
      return full;
    }, spillExecutor);
  }

  private SortBuffer awaitPendingSpill() {
    if (pendingSpill == null) {
      return null;
    }
    try {
      return pendingSpill.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof UncheckedIOException u) {
        throw new ShardBuildException(u.getMessage() + ": " + u.getCause().getMessage()
            + "; check free space under the build directory " + tempDir, true, u.getCause());
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    } finally {
      pendingSpill = null;
    }
  }

  /** Ends the input: the last buffer is sorted and kept in memory. */
  public void finishInput() {
    if (finished) {
      return;
    }
    awaitPendingSpill();
    spare = null;
    active.sort();
    memoryStart = new int[maxShardId + 1];
    memoryEnd = new int[maxShardId + 1];
    Arrays.fill(memoryStart, -1);
    for (int i = 0; i < active.size(); i++) {
      int s = active.shardAt(i);
      if (memoryStart[s] < 0) {
        memoryStart[s] = i;
      }
      memoryEnd[s] = i + 1;
    }
    finished = true;
  }

  public long totalRecords() {
    return totalRecords;
  }

  /** Sum of key and value lengths added. */
  public long totalBytes() {
    return totalBytes;
  }

  /** Highest shard id seen, or -1 when nothing was added. */
  public int maxShardId() {
    return maxShardId;
  }

  public long records(int shardId) {
    return shardId < recordsPerShard.length ? recordsPerShard[shardId] : 0;
  }

  public int spillCount() {
    return runs.size();
  }

  /** One shard's records in ascending key order (duplicates are kept, adjacent). */
  public RecordCursor cursor(int shardId) {
    if (!finished) {
      throw new ShardBuildException("cursor() before finishInput(): call finishInput() "
          + "first", false, null);
    }
    List<RecordCursor> sources = new ArrayList<>();
    for (SpillRun run : runs) {
      RecordCursor c = run.open(shardId);
      if (c != null) {
        sources.add(c);
      }
    }
    if (shardId <= maxShardId && memoryStart[shardId] >= 0) {
      sources.add(new MemoryCursor(active, memoryStart[shardId], memoryEnd[shardId]));
    }
    if (sources.size() == 1) {
      return sources.get(0);
    }
    return new MergingCursor(sources);
  }

  /** Deletes the spill files. */
  @Override
  public void close() {
    try {
      awaitPendingSpill();
    } catch (RuntimeException ignored) {
      // closing after a failure: the spill error was already reported
    }
    for (SpillRun run : runs) {
      if (run != null) {
        run.delete();
      }
    }
    runs.clear();
  }

  private static final class MemoryCursor implements RecordCursor {
    private final SortBuffer buffer;
    private final int end;
    private int i;

    MemoryCursor(SortBuffer buffer, int start, int end) {
      this.buffer = buffer;
      this.i = start - 1;
      this.end = end;
    }

    @Override
    public boolean next() {
      return ++i < end;
    }

    @Override
    public byte[] key() {
      return buffer.keyAt(i);
    }

    @Override
    public byte[] value() {
      return buffer.valueAt(i);
    }

    @Override
    public void close() {}
  }
}
