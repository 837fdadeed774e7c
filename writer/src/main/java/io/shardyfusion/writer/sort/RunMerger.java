package io.shardyfusion.writer.sort;

import io.shardyfusion.errors.ShardBuildException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The consuming half of a distributed sort: merges one shard's sorted runs (from
 * {@link RunSorter}) into one ascending stream, in bounded heap, instead of sorting the shard's
 * records again.
 *
 * <p>Runs arrive one at a time from a one-pass source (a runner's group iterable). Byte blocks
 * are held until they add up to {@code memoryBytes}; then the held blocks are merged into one
 * local spill file and released. File segments (runs a producer wrote to a shared file system)
 * are read in place and never copied. When more than {@link #MAX_FAN_IN} files are to be read,
 * the oldest are merged into one first, so the final merge reads at most {@code MAX_FAN_IN}
 * files with a 256 KiB buffer each. Equal keys stay adjacent (both kept), so
 * {@link ShardBuild} still reports duplicates.
 *
 * <pre>{@code
 * try (RunMerger merger = new RunMerger(tempDir, 64 << 20)) {
 *   for (byte[] block : runs) {
 *     merger.addBlock(block);
 *   }
 *   BuiltShard shard = ShardBuild.build(backend, dbId, merger.finish(), dir, encoding);
 * }
 * }</pre>
 *
 * <p>Heap: {@code memoryBytes} of blocks plus {@code MAX_FAN_IN} read buffers. Not thread-safe.
 */
public final class RunMerger implements Closeable {
  /** The most files one merge reads at once. */
  public static final int MAX_FAN_IN = 64;

  private record FileSegment(Path file, long offset, long length) {}

  private final Path tempDir;
  private final long memoryBytes;
  private final List<byte[]> blocks = new ArrayList<>();
  private long heldBytes;
  private final List<FileSegment> segments = new ArrayList<>();
  private final List<Path> ownFiles = new ArrayList<>();
  private long spills;
  private boolean finished;

  /**
   * @param tempDir where merge spills go (created when first needed)
   * @param memoryBytes heap for held blocks before they are merged to disk
   */
  public RunMerger(Path tempDir, long memoryBytes) {
    this.tempDir = tempDir;
    this.memoryBytes = memoryBytes;
  }

  /** Adds a sorted block ({@link RunSorter}'s layout); it is held, not copied. */
  public void addBlock(byte[] block) {
    checkOpen();
    if (heldBytes > 0 && heldBytes + block.length > memoryBytes) {
      spillBlocks();
    }
    blocks.add(block);
    heldBytes += block.length;
  }

  /** Adds a sorted segment of a run file; it is read in place when the merge runs. */
  public void addFileSegment(Path file, long offset, long length) {
    checkOpen();
    if (length > 0) {
      segments.add(new FileSegment(file, offset, length));
    }
  }

  /** How often held blocks were merged to disk. */
  public long spills() {
    return spills;
  }

  /**
   * Ends the input; the merged records in ascending key order (duplicates adjacent). The
   * cursor reads this merger's files: close the merger after the cursor.
   */
  public RecordCursor finish() {
    checkOpen();
    finished = true;
    while (segments.size() > MAX_FAN_IN) {
      List<FileSegment> oldest = new ArrayList<>(segments.subList(0, MAX_FAN_IN));
      segments.subList(0, MAX_FAN_IN).clear();
      List<RecordCursor> sources = new ArrayList<>();
      oldest.forEach(s -> sources.add(open(s)));
      segments.add(writeOwn(new MergingCursor(sources)));
    }
    List<RecordCursor> sources = new ArrayList<>();
    segments.forEach(s -> sources.add(open(s)));
    blocks.forEach(b -> sources.add(new BlockCursor(b)));
    blocks.clear();
    heldBytes = 0;
    return sources.size() == 1 ? sources.get(0) : new MergingCursor(sources);
  }

  private void spillBlocks() {
    List<RecordCursor> sources = new ArrayList<>();
    blocks.forEach(b -> sources.add(new BlockCursor(b)));
    segments.add(writeOwn(sources.size() == 1 ? sources.get(0) : new MergingCursor(sources)));
    blocks.clear();
    heldBytes = 0;
    spills++;
  }

  private FileSegment writeOwn(RecordCursor sorted) {
    Path file;
    try {
      Files.createDirectories(tempDir);
      file = tempDir.resolve("merge-" + ownFiles.size() + ".spill");
    } catch (IOException e) {
      throw new ShardBuildException("cannot create the build directory " + tempDir + ": "
          + e.getMessage() + "; point tempDir at a writable disk", true, e);
    }
    ownFiles.add(file);
    SpillRun.Segment s = SpillRun.writeCursor(sorted, file);
    return new FileSegment(file, 0, s.length());
  }

  private static RecordCursor open(FileSegment s) {
    return SpillRun.openSegment(s.file(), s.offset(), s.length());
  }

  private void checkOpen() {
    if (finished) {
      throw new ShardBuildException("RunMerger takes no runs after finish()", false, null);
    }
  }

  /** Deletes this merger's own spill files (never the producers' run files). */
  @Override
  public void close() {
    blocks.clear();
    for (Path f : ownFiles) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        // a leftover temp file is harmless; the build directory is removed with the attempt
      }
    }
  }

  /** Reads one block's records in place; copies each key and value out (the caller owns them). */
  static final class BlockCursor implements RecordCursor {
    private final byte[] block;
    private int pos;
    private byte[] key;
    private byte[] value;

    BlockCursor(byte[] block) {
      this.block = block;
    }

    @Override
    public boolean next() {
      if (pos >= block.length) {
        return false;
      }
      if (block.length - pos < 8) {
        throw corrupt();
      }
      int kl = intAt(pos);
      int vl = intAt(pos + 4);
      int at = pos + 8;
      if (kl < 0 || vl < 0 || (long) at + kl + vl > block.length) {
        throw corrupt();
      }
      key = java.util.Arrays.copyOfRange(block, at, at + kl);
      value = java.util.Arrays.copyOfRange(block, at + kl, at + kl + vl);
      pos = at + kl + vl;
      return true;
    }

    private ShardBuildException corrupt() {
      return new ShardBuildException("a sorted run block ends inside a record (at byte " + pos
          + " of " + block.length + "); the shuffle delivered a damaged element", true, null);
    }

    private int intAt(int at) {
      return ((block[at] & 0xFF) << 24) | ((block[at + 1] & 0xFF) << 16)
          | ((block[at + 2] & 0xFF) << 8) | (block[at + 3] & 0xFF);
    }

    @Override
    public byte[] key() {
      return key;
    }

    @Override
    public byte[] value() {
      return value;
    }

    @Override
    public void close() {}
  }
}
