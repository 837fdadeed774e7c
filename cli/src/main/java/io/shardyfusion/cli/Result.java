package io.shardyfusion.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command found, before formatting: one record or a list of rows (field order is output
 * order), the human sentences for {@code --output-format text}, and the exit code.
 *
 * @param single true for one record (printed as an object), false for a list of rows
 * @param text one sentence per line for the text format
 * @param exitCode 0 ok, 1 something asked for was not there (a key not found)
 */
public record Result(boolean single, List<Map<String, Object>> rows, List<String> text,
    int exitCode) {

  public Result {
    rows = List.copyOf(rows);
    text = List.copyOf(text);
  }

  /** One record. */
  public static Result record(Map<String, Object> record, String text) {
    return new Result(true, List.of(record), List.of(text), 0);
  }

  /** A list of rows. */
  public static Result rows(List<Map<String, Object>> rows, List<String> text) {
    return new Result(false, rows, text, 0);
  }

  public Result withExitCode(int code) {
    return new Result(single, rows, text, code);
  }

  /** The record or the rows, as JSON output shows them. */
  public Object data() {
    return single ? rows.get(0) : rows;
  }

  /** An ordered map builder: {@code Result.fields("a", 1, "b", "x")}. */
  public static Map<String, Object> fields(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }
}
