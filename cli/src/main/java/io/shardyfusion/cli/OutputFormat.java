package io.shardyfusion.cli;

import java.util.Locale;

/**
 * How results are printed. The default is {@link #TABLE} on a terminal and {@link #JSONL}
 * otherwise, so that pipes and scripts get one parseable JSON object per line.
 */
public enum OutputFormat {
  /** One pretty-printed JSON document (an object, or an array for lists). */
  JSON,
  /** One compact JSON object per line (per row for lists). */
  JSONL,
  /** Aligned columns (a field/value table for single results). */
  TABLE,
  /** Human sentences. */
  TEXT;

  /** Parses {@code json|jsonl|table|text}, case-insensitively. */
  public static OutputFormat parse(String s) {
    for (OutputFormat f : values()) {
      if (f.name().equalsIgnoreCase(s)) {
        return f;
      }
    }
    throw new IllegalArgumentException("'" + s + "' is not an output format; use json, jsonl, "
        + "table or text");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
