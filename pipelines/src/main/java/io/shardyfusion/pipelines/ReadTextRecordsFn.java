package io.shardyfusion.pipelines;

import io.shardyfusion.records.Record;
import io.shardyfusion.records.TextRecordReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Reads JSON Lines or CSV files one record at a time with the shared {@link TextRecordReader}
 * (streaming; compressed files are decompressed by extension); every record is named by file and
 * line. A file is read by one worker: CSV needs its own header row and may have quoted fields
 * spanning lines, neither of which survives TextIO's splitting of a file at arbitrary offsets;
 * many files are read in parallel.
 */
final class ReadTextRecordsFn extends DoFn<FileIO.ReadableFile, Record> {
  private static final long serialVersionUID = 1L;
  private static final Counter RECORDS = Metrics.counter("shardyfusion", "input_records");
  private static final Counter FILES = Metrics.counter("shardyfusion", "input_files");

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

  @ProcessElement
  public void process(@Element FileIO.ReadableFile file, OutputReceiver<Record> out)
      throws IOException {
    String name = file.getMetadata().resourceId().toString();
    BiFunction<String, Reader, TextRecordReader> open =
        csv ? TextRecordReader::csv : TextRecordReader::jsonl;
    try (Reader reader = Channels.newReader(file.open(), StandardCharsets.UTF_8);
        TextRecordReader records = open.apply(name, reader)) {
      while (records.hasNext()) {
        RECORDS.inc();
        out.output(records.next());
      }
    }
    FILES.inc();
  }
}
