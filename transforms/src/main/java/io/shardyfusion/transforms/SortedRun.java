package io.shardyfusion.transforms;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;

/**
 * One shard's records from one routing bundle, sorted by key: what {@link SortRunsFn} sends
 * through the shuffle instead of single records. Either the records themselves (a block in
 * {@link io.shardyfusion.writer.sort.RunSorter}'s layout) or, when workers share a file system
 * with each other, a reference to a segment of a run file on it.
 *
 * <p>{@code bundle} (random per bundle attempt) and {@code seq} (per element of the bundle)
 * name the run, so that a shard task that is handed the very same run twice uses it once (see
 * {@link BuildShardFn}). Coded by {@link SortedRunCoder}; immutable.
 */
final class SortedRun {
  /** Identity of a run: the bundle attempt that made it and its number in that bundle. */
  record Id(long bundle, int seq) {}

  private final Id id;
  private final int records;
  private final byte[] block; // null for a file segment
  private final String file;
  private final long offset;
  private final long length;

  private SortedRun(Id id, int records, byte[] block, String file, long offset, long length) {
    this.id = id;
    this.records = records;
    this.block = block;
    this.file = file;
    this.offset = offset;
    this.length = length;
  }

  static SortedRun block(long bundle, int seq, int records, byte[] block) {
    return new SortedRun(new Id(bundle, seq), records, Objects.requireNonNull(block), null, 0,
        block.length);
  }

  static SortedRun fileSegment(long bundle, int seq, int records, String file, long offset,
      long length) {
    return new SortedRun(new Id(bundle, seq), records, null, Objects.requireNonNull(file),
        offset, length);
  }

  /** Where the run files of run {@code runId} go under a shared directory. */
  static Path runFilesDir(String sharedDir, String runId) {
    return Paths.get(sharedDir, "shardy-runs-" + runId);
  }

  Id id() {
    return id;
  }

  int records() {
    return records;
  }

  boolean isFileSegment() {
    return block == null;
  }

  /** The block (not copied: do not modify); null for a file segment. */
  byte[] block() {
    return block;
  }

  String file() {
    return file;
  }

  long offset() {
    return offset;
  }

  /** Bytes of records: the block's length, or the segment's. */
  long length() {
    return length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SortedRun r && id.equals(r.id) && records == r.records
        && offset == r.offset && length == r.length && Objects.equals(file, r.file)
        && java.util.Arrays.equals(block, r.block);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SortedRun{" + id + ", records=" + records + ", "
        + (block != null ? "block of " + length + " bytes" : file + "@" + offset + "+" + length)
        + "}";
  }
}
