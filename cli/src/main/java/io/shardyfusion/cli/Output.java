package io.shardyfusion.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Prints {@link Result}s to stdout in one {@link OutputFormat}. */
public final class Output {
  private static final ObjectMapper COMPACT = JsonMapper.builder().build();
  private static final ObjectMapper PRETTY =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final PrintStream out;
  private final OutputFormat format;

  public Output(PrintStream out, OutputFormat format) {
    this.out = out;
    this.format = format;
  }

  public OutputFormat format() {
    return format;
  }

  public PrintStream stream() {
    return out;
  }

  /** Prints a result in this output's format. */
  public void print(Result r) {
    switch (format) {
      case JSON -> out.println(json(r.data(), true));
      case JSONL -> r.rows().forEach(row -> out.println(json(row, false)));
      case TEXT -> r.text().forEach(out::println);
      case TABLE -> table(r);
      default -> throw new AssertionError(format);
    }
    out.flush();
  }

  /** Any value as JSON text, pretty or on one line. */
  public static String json(Object value, boolean pretty) {
    try {
      return (pretty ? PRETTY : COMPACT).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render output as JSON: " + e.getMessage(), e);
    }
  }

  private void table(Result r) {
    List<Map<String, Object>> rows = r.rows();
    if (r.single()) {
      List<List<String>> cells = new ArrayList<>();
      for (Map.Entry<String, Object> e : rows.get(0).entrySet()) {
        cells.add(List.of(e.getKey(), cell(e.getValue())));
      }
      printAligned(cells);
      return;
    }
    if (rows.isEmpty()) {
      out.println("(no rows)");
      return;
    }
    Set<String> columns = new LinkedHashSet<>();
    rows.forEach(row -> columns.addAll(row.keySet()));
    List<List<String>> cells = new ArrayList<>();
    cells.add(new ArrayList<>(columns));
    for (Map<String, Object> row : rows) {
      List<String> line = new ArrayList<>();
      for (String c : columns) {
        line.add(cell(row.get(c)));
      }
      cells.add(line);
    }
    printAligned(cells);
  }

  private void printAligned(List<List<String>> cells) {
    int cols = cells.get(0).size();
    int[] width = new int[cols];
    for (List<String> line : cells) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    for (List<String> line : cells) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        sb.append(line.get(i));
        if (i < cols - 1) {
          sb.append(" ".repeat(width[i] - line.get(i).length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  private static String cell(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Map || v instanceof List) {
      return json(v, false);
    }
    return v.toString();
  }
}
