package io.shardyfusion.writer.sort;

import io.shardyfusion.errors.ShardBuildException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The producing half of a distributed sort: collects (shard id, key, value) records in one
 * fixed-size {@link SortBuffer}, and when it is full (or the input ends) sorts it once and hands
 * out each shard's records as <em>sorted runs</em>, either as byte blocks (for a shuffle) or as
 * segments of one file (for workers that share a file system). {@link RunMerger} is the
 * consuming half: it merges one shard's runs instead of sorting its rows again.
 *
 * <p>Block layout (the same as a spill file's records): per record the key length and the
 * value length as 4-byte big-endian ints, then the key, then the value; records in ascending
 * unsigned key order. A shard's records in one buffer become consecutive blocks of at most
 * {@code maxBlockBytes} (a record larger than that gets a block of its own), so no shuffle
 * element grows with the buffer.
 *
 * <pre>{@code
 * RunSorter runs = new RunSorter(64 << 20, 8 << 20);
 * for (Record r : bundle) {
 *   if (!runs.add(r.dbId(), r.key(), r.value())) {
 *     runs.drainBlocks(emit);            // sorted, one or more blocks per shard, then cleared
 *     runs.add(r.dbId(), r.key(), r.value());
 *   }
 * }
 * runs.drainBlocks(emit);
 * }</pre>
 *
 * <p>Not thread-safe. Heap: {@code bufferBytes} plus one block being copied.
 */
public final class RunSorter {
  /** Receives one sorted block of one shard's records. */
  @FunctionalInterface
  public interface BlockSink {
    void accept(int shardId, byte[] block, int records);
  }

  /** Receives one shard's segment of a run file. */
  @FunctionalInterface
  public interface SegmentSink {
    void accept(int shardId, long offset, long length, long records);
  }

  private final long bufferBytes;
  private final int maxBlockBytes;
  private final SortBuffer buffer;

  /**
   * @param bufferBytes heap of the sort buffer (arena plus index)
   * @param maxBlockBytes largest block {@link #drainBlocks} hands out (unless one record is
   *     larger)
   */
  public RunSorter(long bufferBytes, int maxBlockBytes) {
    this.bufferBytes = bufferBytes;
    this.maxBlockBytes = maxBlockBytes;
    this.buffer = new SortBuffer(bufferBytes);
  }

  /**
   * Adds a record (copied); false when the buffer is full: drain it, then add again.
   *
   * @throws ShardBuildException if the record could never fit the buffer
   */
  public boolean add(int shardId, byte[] key, byte[] value) {
    if (buffer.add(shardId, key, value)) {
      return true;
    }
    if (buffer.isEmpty() || !buffer.canEverHold(key.length, value.length)) {
      throw new ShardBuildException("a record of " + (key.length + value.length)
          + " bytes is larger than the sort buffer (" + bufferBytes + " bytes); raise "
          + "sortBufferBytes above the largest record", false, null);
    }
    return false;
  }

  public boolean isEmpty() {
    return buffer.isEmpty();
  }

  /** Records held. */
  public int size() {
    return buffer.size();
  }

  /** Sorts what is held, hands it to {@code sink} as blocks shard by shard, and clears. */
  public void drainBlocks(BlockSink sink) {
    buffer.sort();
    byte[] arena = buffer.arena();
    int n = buffer.size();
    int i = 0;
    while (i < n) {
      int shardId = buffer.shardAt(i);
      // One block: as many of this shard's records as fit maxBlockBytes (at least one).
      int first = i;
      long bytes = 0;
      for (; i < n && buffer.shardAt(i) == shardId; i++) {
        int len = buffer.recordLength(i);
        if (i > first && bytes + len > maxBlockBytes) {
          break;
        }
        bytes += len;
      }
      byte[] block = new byte[(int) bytes];
      int at = 0;
      for (int r = first; r < i; r++) {
        int len = buffer.recordLength(r);
        System.arraycopy(arena, buffer.recordOffset(r), block, at, len);
        at += len;
      }
      sink.accept(shardId, block, i - first);
    }
    buffer.clear();
  }

  /**
   * Sorts what is held, writes it to {@code file} (created; shards' records contiguous, in
   * shard order), hands each shard's segment to {@code sink}, and clears.
   */
  public void drainToFile(Path file, SegmentSink sink) {
    buffer.sort();
    SpillRun run = SpillRun.write(buffer, file);
    for (Map.Entry<Integer, SpillRun.Segment> e : run.segments().entrySet()) {
      SpillRun.Segment s = e.getValue();
      sink.accept(e.getKey(), s.start(), s.length(), s.records());
    }
    buffer.clear();
  }
}
