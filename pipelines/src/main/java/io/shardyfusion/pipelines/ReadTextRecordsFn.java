package io.shardyfusion.pipelines;

import io.shardyfusion.records.Record;
import io.shardyfusion.records.TextRecordReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
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
 * Reads JSON Lines or CSV records with the shared {@link TextRecordReader} (streaming;
 * compressed files are decompressed by extension) from file ranges made by {@link Split}.
 *
 * <p>A large uncompressed JSON Lines file is read as byte ranges of {@link #RANGE_BYTES}, each
 * its own element, so the file is read in parallel and no runner holds one DoFn call's output
 * for the whole file (the Direct runner keeps a bundle's output in heap: one 10M-line file read
 * by one call did not fit a 1 GB heap). A range holds the lines that start inside it ({@link
 * LineRangeInputStream}); its records are named by the range's first byte and their line in
 * the range ({@code file@67108864:12}), the others by file and line ({@code file:12}). CSV
 * files (their header row, and quoted fields spanning lines, do not survive a split at an
 * arbitrary offset) and compressed files are read whole, one per call; many files are read in
 * parallel.
 */
final class ReadTextRecordsFn extends DoFn<KV<FileIO.ReadableFile, KV<Long, Long>>, Record> {
  private static final long serialVersionUID = 1L;
  private static final Counter RECORDS = Metrics.counter("shardyfusion", "input_records");
  private static final Counter FILES = Metrics.counter("shardyfusion", "input_files");
  /** Bytes of JSON Lines per range: about 100k records of typical rows. */
  static final long RANGE_BYTES = 16L << 20;
  /** A range's end meaning "the whole file, read as a stream". */
  static final long WHOLE_FILE = -1;

  private final boolean csv;

  private ReadTextRecordsFn(boolean csv) {
    this.csv = csv;
  }

  static ReadTextRecordsFn jsonl() {
    return new ReadTextRecordsFn(false);
  }

  static ReadTextRecordsFn csv() {
    return new ReadTextRecordsFn(true);
  }

  /** The coder of {@link Split}'s output: the file and its range's [start, end). */
  static Coder<KV<FileIO.ReadableFile, KV<Long, Long>>> rangeCoder() {
    return KvCoder.of(ReadableFileCoder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));
  }

  /** Splits each file into the ranges this reader reads (see the class comment). */
  static final class Split extends DoFn<FileIO.ReadableFile, KV<FileIO.ReadableFile, KV<Long, Long>>> {
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

  @ProcessElement
  public void process(@Element KV<FileIO.ReadableFile, KV<Long, Long>> range,
      OutputReceiver<Record> out) throws IOException {
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
      InputStream lines = new LineRangeInputStream(file.openSeekable(), start, end);
      reader = new InputStreamReader(lines, StandardCharsets.UTF_8);
      if (start > 0) {
        name = name + "@" + start;
      }
    }
    try (reader; TextRecordReader records = open.apply(name, reader)) {
      while (records.hasNext()) {
        RECORDS.inc();
        out.output(records.next());
      }
    }
    if (start == 0) {
      FILES.inc();
    }
  }
}
