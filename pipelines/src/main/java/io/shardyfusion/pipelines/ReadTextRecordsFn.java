package io.shardyfusion.pipelines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads JSON Lines or CSV files one record at a time, streaming (a file is never held in
 * memory; compressed files are decompressed by extension), and names every record by file and
 * line so that a bad record is easy to find. A file is read by one worker: CSV needs its own
 * header row and may have quoted fields spanning lines, neither of which survives TextIO's
 * splitting of a file at arbitrary offsets; many files are read in parallel.
 */
abstract class ReadTextRecordsFn extends DoFn<FileIO.ReadableFile, Record> {
  private static final long serialVersionUID = 1L;
  private static final Counter RECORDS = Metrics.counter("shardyfusion", "input_records");
  private static final Counter FILES = Metrics.counter("shardyfusion", "input_files");

  @ProcessElement
  public void process(@Element FileIO.ReadableFile file, OutputReceiver<Record> out)
      throws IOException {
    String name = file.getMetadata().resourceId().toString();
    try (Reader reader = Channels.newReader(file.open(), StandardCharsets.UTF_8)) {
      read(name, reader, r -> {
        RECORDS.inc();
        out.output(r);
      });
    }
    FILES.inc();
  }

  abstract void read(String name, Reader reader, java.util.function.Consumer<Record> out)
      throws IOException;

  static ReadTextRecordsFn jsonl() {
    return new Jsonl();
  }

  static ReadTextRecordsFn csv() {
    return new Csv();
  }

  /** One JSON object per line; blank lines are skipped (and counted). */
  private static final class Jsonl extends ReadTextRecordsFn {
    private static final long serialVersionUID = 1L;

    @Override
    void read(String name, Reader reader, java.util.function.Consumer<Record> out)
        throws IOException {
      BufferedReader lines = new BufferedReader(reader, 1 << 16);
      long lineNumber = 0;
      String line;
      while ((line = lines.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String source = name + ":" + lineNumber;
        JsonNode node;
        try {
          node = Values.JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw new BadRecordException(source, "not valid JSON (" + e.getOriginalMessage()
              + "); each line must hold one JSON object");
        }
        if (!node.isObject()) {
          throw new BadRecordException(source, "expected a JSON object, got "
              + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + "; each line must hold one JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) Values.fromJson(node);
        out.accept(new Record(source, fields, true));
      }
    }
  }

  /** RFC 4180 CSV with a header row; quoted fields may hold commas, quotes and newlines. */
  private static final class Csv extends ReadTextRecordsFn {
    private static final long serialVersionUID = 1L;

    @Override
    void read(String name, Reader reader, java.util.function.Consumer<Record> out)
        throws IOException {
      CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
          .setAllowMissingColumnNames(false).setDuplicateHeaderMode(
              org.apache.commons.csv.DuplicateHeaderMode.DISALLOW)
          .get();
      CSVParser parser;
      try {
        parser = CSVParser.builder().setReader(reader).setFormat(format).get();
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new BadRecordException(name + ":1", "bad CSV header row (" + e.getMessage()
            + "); the first row must name every column once");
      }
      try (parser) {
        List<String> header = parser.getHeaderNames();
        Iterator<CSVRecord> it = parser.iterator();
        while (true) {
          long startLine = parser.getCurrentLineNumber() + 1;
          CSVRecord rec;
          try {
            if (!it.hasNext()) {
              break;
            }
            rec = it.next();
          } catch (UncheckedIOException | IllegalStateException e) {
            throw new BadRecordException(name + ":" + startLine, "malformed CSV ("
                + e.getMessage() + "); check the quoting of this row");
          }
          String source = name + ":" + startLine;
          if (rec.size() > header.size()) {
            throw new BadRecordException(source, "row has " + rec.size() + " fields but the "
                + "header names " + header.size() + "; quote fields that hold commas");
          }
          Map<String, Object> fields = new LinkedHashMap<>();
          for (int i = 0; i < rec.size(); i++) {
            fields.put(header.get(i), rec.get(i));
          }
          out.accept(new Record(source, fields, false));
        }
      }
    }
  }
}
