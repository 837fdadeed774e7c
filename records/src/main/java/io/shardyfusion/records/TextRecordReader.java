package io.shardyfusion.records;

import io.shardyfusion.errors.StorageException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * The one reader of JSON Lines and CSV records, streaming (a file is never held in memory): the
 * Beam job reads each input file with it, the examples and the CLI's demo their input. Every
 * record is named by file and line ({@link Record#source}, e.g. {@code users.jsonl:17}) so that
 * a bad record is easy to find; problems are {@link BadRecordException}s.
 *
 * <ul>
 *   <li>JSON Lines: one JSON object per line; blank lines are skipped (but counted as lines).
 *       Records are typed (numbers are numbers).
 *   <li>CSV: RFC 4180 with a header row naming every column once; quoted fields may hold
 *       commas, quotes and newlines. Records are untyped (every value is text).
 * </ul>
 */
public abstract class TextRecordReader implements Iterator<Record>, Closeable {
  final String name;
  private Record next;
  private boolean done;
  long lineNumber;
  String text;

  TextRecordReader(String name) {
    this.name = name;
  }

  /** JSON Lines from {@code reader}; {@code name} (the file) prefixes every record's source. */
  public static TextRecordReader jsonl(String name, Reader reader) {
    return new Jsonl(name, reader);
  }

  /** CSV with a header row from {@code reader}. */
  public static TextRecordReader csv(String name, Reader reader) {
    return new Csv(name, reader);
  }

  /** The 1-based line where the last record returned by {@link #next} starts. */
  public long lineNumber() {
    return lineNumber;
  }

  /** The last record's line as read (JSON Lines); null for CSV. */
  public String text() {
    return text;
  }

  /** Reads the next record, or returns null at the end. */
  abstract Record read() throws IOException;

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      try {
        next = read();
      } catch (IOException e) {
        throw new StorageException(name + ": cannot be read: " + e, true, e);
      }
      done = next == null;
    }
    return next != null;
  }

  @Override
  public Record next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Record r = next;
    next = null;
    return r;
  }

  private static final class Jsonl extends TextRecordReader {
    private final BufferedReader lines;
    private long at;

    Jsonl(String name, Reader reader) {
      super(name);
      this.lines = new BufferedReader(reader, 1 << 16);
    }

    @Override
    Record read() throws IOException {
      String line;
      do {
        line = lines.readLine();
        if (line == null) {
          return null;
        }
        at++;
      } while (line.isBlank());
      lineNumber = at;
      text = line;
      String source = name + ":" + at;
      JsonNode node;
      try {
        node = JsonValues.JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new BadRecordException(source, "not valid JSON (" + e.getOriginalMessage()
            + "); each line must hold one JSON object", e);
      }
      if (!node.isObject()) {
        throw new BadRecordException(source, "expected a JSON object, got "
            + node.getNodeType().name().toLowerCase(Locale.ROOT)
            + "; each line must hold one JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) JsonValues.fromJson(node);
      return new Record(source, fields, true);
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }

  private static final class Csv extends TextRecordReader {
    private final CSVParser parser;
    private final List<String> header;
    private final Iterator<CSVRecord> it;

    Csv(String name, Reader reader) {
      super(name);
      CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
          .setAllowMissingColumnNames(false).setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
          .get();
      try {
        parser = CSVParser.builder().setReader(reader).setFormat(format).get();
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new BadRecordException(name + ":1", "bad CSV header row (" + e.getMessage()
            + "); the first row must name every column once");
      } catch (IOException e) {
        throw new StorageException(name + ": cannot be read: " + e, true, e);
      }
      header = parser.getHeaderNames();
      it = parser.iterator();
    }

    @Override
    Record read() {
      long startLine = parser.getCurrentLineNumber() + 1;
      CSVRecord rec;
      try {
        if (!it.hasNext()) {
          return null;
        }
        rec = it.next();
      } catch (UncheckedIOException | IllegalStateException e) {
        throw new BadRecordException(name + ":" + startLine, "malformed CSV ("
            + e.getMessage() + "); check the quoting of this row");
      }
      lineNumber = startLine;
      String source = name + ":" + startLine;
      if (rec.size() > header.size()) {
        throw new BadRecordException(source, "row has " + rec.size() + " fields but the "
            + "header names " + header.size() + "; quote fields that hold commas");
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (int i = 0; i < rec.size(); i++) {
        fields.put(header.get(i), rec.get(i));
      }
      return new Record(source, fields, false);
    }

    @Override
    public void close() throws IOException {
      parser.close();
    }
  }
}
