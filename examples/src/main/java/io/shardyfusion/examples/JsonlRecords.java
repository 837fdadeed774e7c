package io.shardyfusion.examples;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.records.BadRecordException;
import io.shardyfusion.records.JsonValues;
import io.shardyfusion.records.Record;
import io.shardyfusion.records.TextRecordReader;
import io.shardyfusion.routing.KeyConverter;
import io.shardyfusion.routing.KeyEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A JSON Lines file as an {@link Iterable} of (key, value) rows, read one line at a time with
 * the shared {@link TextRecordReader} (the Beam job's reader): the file is never held in memory,
 * so it can be larger than the heap. Every {@link #iterator()} reads the file again from the
 * start. Blank lines are skipped (but counted as lines).
 *
 * <p>Each line must be a JSON object holding the key field. The key is converted with
 * {@link KeyConverter#fromValue} (the one record-to-key conversion) here, so that a bad record
 * is reported with its line number. The value is the line itself (UTF-8, exactly as in the
 * file) or, with a value field, that field: its text for a string, its compact JSON otherwise.
 *
 * <p>Close it to release the files of iterators that were abandoned half way (for instance
 * when the writer stopped on an error).
 */
public final class JsonlRecords implements Iterable<JsonlRecords.Row>, AutoCloseable {
  /**
   * One record.
   *
   * @param lineNumber 1-based line in the file
   * @param key normalized for the encoding: Long for u64be/u32be, String for utf8, byte[] for raw
   * @param value the bytes stored for the key
   * @param line the line as read
   */
  public record Row(long lineNumber, Object key, byte[] value, String line) {}

  private final Path file;
  private final String keyField;
  private final String valueField;
  private final KeyEncoding encoding;
  private final List<TextRecordReader> open = new ArrayList<>();

  /**
   * @param valueField null to store the whole line as the value
   */
  public JsonlRecords(Path file, String keyField, String valueField, KeyEncoding encoding) {
    this.file = Objects.requireNonNull(file, "file");
    this.keyField = Objects.requireNonNull(keyField, "keyField");
    this.valueField = valueField;
    this.encoding = Objects.requireNonNull(encoding, "encoding");
  }

  public Path file() {
    return file;
  }

  @Override
  public Iterator<Row> iterator() {
    if (!Files.isRegularFile(file)) {
      throw new InputException(file.toString(), 0, Files.exists(file)
          ? "is not a regular file" : "does not exist");
    }
    TextRecordReader reader;
    try {
      reader = TextRecordReader.jsonl(file.toString(),
          Files.newBufferedReader(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InputException(file.toString(), 0, "cannot be opened: " + e, e);
    }
    synchronized (open) {
      open.add(reader);
    }
    return new RowIterator(reader);
  }

  /** The row of one record: its key converted for the encoding and the value to store. */
  private Row row(long lineNumber, Record record, String line) {
    if (!record.has(keyField)) {
      throw fail(lineNumber, "key field '" + keyField + "' is missing");
    }
    Object k = record.get(keyField);
    if (k == null) {
      throw fail(lineNumber, "key field '" + keyField + "' is null");
    }
    Object key;
    try {
      key = KeyConverter.fromValue(k, encoding, true);
    } catch (KeyValidationException e) {
      throw fail(lineNumber, (e instanceof KeyConverter.WrongTypeException
          ? "key field '" + keyField + "' " : "") + e.getMessage(), e);
    }
    byte[] value;
    if (valueField == null) {
      value = line.getBytes(StandardCharsets.UTF_8);
    } else {
      if (!record.has(valueField)) {
        throw fail(lineNumber, "value field '" + valueField + "' is missing");
      }
      Object v = record.get(valueField);
      value = v instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
          : JsonValues.toJsonBytes(v, record.source(), valueField);
    }
    return new Row(lineNumber, key, value, line);
  }

  private InputException fail(long lineNumber, String problem) {
    return new InputException(file.toString(), lineNumber, problem);
  }

  private InputException fail(long lineNumber, String problem, Throwable cause) {
    return new InputException(file.toString(), lineNumber, problem, cause);
  }

  @Override
  public void close() {
    synchronized (open) {
      for (TextRecordReader r : open) {
        closeQuietly(r);
      }
      open.clear();
    }
  }

  private void closeQuietly(TextRecordReader r) {
    try {
      r.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing " + file, e);
    }
  }

  private final class RowIterator implements Iterator<Row> {
    private final TextRecordReader reader;
    private boolean done;

    RowIterator(TextRecordReader reader) {
      this.reader = reader;
    }

    @Override
    public boolean hasNext() {
      if (done) {
        return false;
      }
      boolean more;
      try {
        more = reader.hasNext();
      } catch (BadRecordException e) {
        finish();
        throw fail(lineOf(e.source()), e.problem(), e);
      } catch (StorageException e) {
        finish();
        throw fail(reader.lineNumber() + 1, "cannot be read: " + e.getCause(), e);
      }
      if (!more) {
        finish();
      }
      return more;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Record r = reader.next();
      return row(reader.lineNumber(), r, reader.text());
    }

    private void finish() {
      done = true;
      synchronized (open) {
        open.remove(reader);
      }
      closeQuietly(reader);
    }
  }

  /** The line number at the end of a record's source ({@code FILE:LINE}). */
  private static long lineOf(String source) {
    return Long.parseLong(source.substring(source.lastIndexOf(':') + 1));
  }
}
