package io.shardyfusion.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.routing.KeyEncoding;
import java.io.BufferedReader;
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
 * A JSON Lines file as an {@link Iterable} of (key, value) rows, read one line at a time: the
 * file is never held in memory, so it can be larger than the heap. Every {@link #iterator()}
 * reads the file again from the start. Blank lines are skipped (but counted as lines).
 *
 * <p>Each line must be a JSON object holding the key field. The key is checked against the key
 * encoding here, so that a bad record is reported with its line number. The value is the line
 * itself (UTF-8, exactly as in the file) or, with a value field, that field: its text for a
 * string, its compact JSON otherwise.
 *
 * <p>Close it to release the files of iterators that were abandoned half way (for instance
 * when the writer stopped on an error).
 */
public final class JsonlRecords implements Iterable<JsonlRecords.Row>, AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

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
  private final List<BufferedReader> open = new ArrayList<>();

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
    BufferedReader reader;
    try {
      reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InputException(file.toString(), 0, "cannot be opened: " + e, e);
    }
    synchronized (open) {
      open.add(reader);
    }
    return new RowIterator(reader);
  }

  /** Parses one line; public so that callers can derive a record the same way the writer did. */
  public Row parse(long lineNumber, String line) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw fail(lineNumber, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw fail(lineNumber, "expected a JSON object, got "
          + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
    }
    Object key = key(lineNumber, node.get(keyField));
    byte[] value;
    if (valueField == null) {
      value = line.getBytes(StandardCharsets.UTF_8);
    } else {
      JsonNode v = node.get(valueField);
      if (v == null) {
        throw fail(lineNumber, "value field '" + valueField + "' is missing");
      }
      value = (v.isTextual() ? v.textValue() : v.toString()).getBytes(StandardCharsets.UTF_8);
    }
    return new Row(lineNumber, key, value, line);
  }

  private Object key(long lineNumber, JsonNode k) {
    if (k == null) {
      throw fail(lineNumber, "key field '" + keyField + "' is missing");
    }
    if (k.isNull()) {
      throw fail(lineNumber, "key field '" + keyField + "' is null");
    }
    Object raw;
    switch (encoding) {
      case U64BE:
      case U32BE:
        if (!k.isIntegralNumber()) {
          throw fail(lineNumber, "key field '" + keyField + "' must be an integer for "
              + encoding.wireName() + ", got " + describe(k));
        }
        if (!k.canConvertToLong()) {
          throw fail(lineNumber, "key " + k.bigIntegerValue() + " in field '" + keyField
              + "' is out of range for " + encoding.wireName());
        }
        raw = k.longValue();
        break;
      case UTF8:
        if (!k.isTextual() && !k.isIntegralNumber()) {
          throw fail(lineNumber, "key field '" + keyField + "' must be a string (or an integer, "
              + "used as its decimal text) for utf8, got " + describe(k));
        }
        raw = k.isTextual() ? k.textValue() : k.asText();
        break;
      case RAW:
        if (!k.isTextual()) {
          throw fail(lineNumber, "key field '" + keyField + "' must be a string for raw (its "
              + "UTF-8 bytes are the key), got " + describe(k));
        }
        raw = k.textValue().getBytes(StandardCharsets.UTF_8);
        break;
      default:
        throw new AssertionError(encoding);
    }
    try {
      return encoding.normalize(raw);
    } catch (KeyValidationException e) {
      throw fail(lineNumber, e.getMessage(), e);
    }
  }

  private static String describe(JsonNode n) {
    String text = n.toString();
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return n.getNodeType().name().toLowerCase() + " " + text;
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
      for (BufferedReader r : open) {
        closeQuietly(r);
      }
      open.clear();
    }
  }

  private void closeQuietly(BufferedReader r) {
    try {
      r.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing " + file, e);
    }
  }

  private final class RowIterator implements Iterator<Row> {
    private final BufferedReader reader;
    private long lineNumber;
    private Row next;
    private boolean done;

    RowIterator(BufferedReader reader) {
      this.reader = reader;
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (done) {
        return false;
      }
      String line;
      do {
        try {
          line = reader.readLine();
        } catch (IOException e) {
          finish();
          throw fail(lineNumber + 1, "cannot be read: " + e, e);
        }
        if (line == null) {
          finish();
          return false;
        }
        lineNumber++;
      } while (line.isBlank());
      next = parse(lineNumber, line);
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = next;
      next = null;
      return r;
    }

    private void finish() {
      done = true;
      synchronized (open) {
        open.remove(reader);
      }
      closeQuietly(reader);
    }
  }
}
