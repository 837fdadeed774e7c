package io.shardyfusion.pipelines;

import io.shardyfusion.records.Record;
import io.shardyfusion.records.TextRecordReader;
import io.shardyfusion.transforms.SourceReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.ReadableFileCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * JSON Lines and CSV input as ranges of files: {@link Split} cuts each file into the ranges, and
 * {@link #reader} reads one range's records with the shared {@link TextRecordReader}
 * (streaming; compressed files are decompressed by extension) inside {@code ShardedWrite}'s
 * routing step ({@link io.shardyfusion.transforms.ShardedWrite#readingEach}), so records never
 * form a PCollection: the Direct runner, which holds a step's output in heap, then holds ranges,
 * not records.
 *
 * <p>A large uncompressed JSON Lines file is cut into byte ranges of {@link #RANGE_BYTES}, each
 * its own element, so the file is read by every worker. A range holds the lines that start
 * inside it ({@link LineRangeInputStream}); its records are named by the range's first byte and
 * their line in the range ({@code file@67108864:12}), the others by file and line ({@code
 * file:12}). CSV files (their header row, and quoted fields spanning lines, do not survive a cut
 * at an arbitrary offset) and compressed files are read whole; many files are read in parallel.
 */
final class TextFileRanges {
  private static final Counter FILES = Metrics.counter("shardyfusion", "input_files");
  /** Bytes of JSON Lines per range: about 100k records of typical rows. */
  static final long RANGE_BYTES = 16L << 20;
  /** A range's end meaning "the whole file, read as a stream". */
  static final long WHOLE_FILE = -1;

  private TextFileRanges() {}

  /** The coder of {@link Split}'s output: the file and its range's [start, end). */
  static Coder<KV<FileIO.ReadableFile, KV<Long, Long>>> rangeCoder() {
    return KvCoder.of(ReadableFileCoder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));
  }

  /** Splits each file into the ranges {@link #reader} reads (see the class comment). */
  static final class Split
      extends DoFn<FileIO.ReadableFile, KV<FileIO.ReadableFile, KV<Long, Long>>> {
    private static final long serialVersionUID = 1L;
    private final boolean csv;
    private final long rangeBytes;

    Split(boolean csv, long rangeBytes) {
      this.csv = csv;
      this.rangeBytes = rangeBytes;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file,
        OutputReceiver<KV<FileIO.ReadableFile, KV<Long, Long>>> out) {
      FILES.inc();
      long size = file.getMetadata().sizeBytes();
      boolean splittable = !csv && file.getCompression() == Compression.UNCOMPRESSED
          && file.getMetadata().isReadSeekEfficient() && size > rangeBytes;
      if (!splittable) {
        out.output(KV.of(file, KV.of(0L, WHOLE_FILE)));
        return;
      }
      for (long start = 0; start < size; start += rangeBytes) {
        // The last range reads to the end of the file, even if it grew since it was matched.
        long end = start + rangeBytes >= size ? Long.MAX_VALUE : start + rangeBytes;
        out.output(KV.of(file, KV.of(start, end)));
      }
    }
  }

  /** Reads a range of JSON Lines ({@code csv} false) or a whole CSV file. */
  static SourceReader<KV<FileIO.ReadableFile, KV<Long, Long>>, Record> reader(boolean csv) {
    return new RangeReader(csv);
  }

  private static final class RangeReader
      implements SourceReader<KV<FileIO.ReadableFile, KV<Long, Long>>, Record> {
    private static final long serialVersionUID = 1L;
    private final boolean csv;

    RangeReader(boolean csv) {
      this.csv = csv;
    }

    @Override
    public void read(KV<FileIO.ReadableFile, KV<Long, Long>> range, Consumer<? super Record> out)
        throws Exception {
      FileIO.ReadableFile file = range.getKey();
      long start = range.getValue().getKey();
      long end = range.getValue().getValue();
      String name = file.getMetadata().resourceId().toString();
      BiFunction<String, Reader, TextRecordReader> open =
          csv ? TextRecordReader::csv : TextRecordReader::jsonl;
      Reader reader;
      if (end == WHOLE_FILE) {
        reader = Channels.newReader(file.open(), StandardCharsets.UTF_8);
      } else {
        reader = new InputStreamReader(new LineRangeInputStream(file.openSeekable(), start, end),
            StandardCharsets.UTF_8);
        if (start > 0) {
          name = name + "@" + start;
        }
      }
      try (reader; TextRecordReader records = open.apply(name, reader)) {
        while (records.hasNext()) {
          out.accept(records.next());
        }
      }
    }

    @Override
    public String toString() {
      return csv ? "CSV files" : "JSON Lines ranges";
    }
  }
}
