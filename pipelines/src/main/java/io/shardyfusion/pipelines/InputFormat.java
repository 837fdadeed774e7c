package io.shardyfusion.pipelines;

import io.shardyfusion.errors.ConfigValidationException;
import java.util.Locale;

/** The input formats {@link BuildSnapshot} reads. */
public enum InputFormat {
  JSONL("jsonl", "ndjson", "json"),
  CSV("csv"),
  PARQUET("parquet", "pq"),
  AVRO("avro");

  private static final String[] COMPRESSION = {".gz", ".gzip", ".bz2", ".zst", ".zstd",
      ".deflate", ".zip", ".lzo", ".snappy"};
  private final String[] extensions;

  InputFormat(String... extensions) {
    this.extensions = extensions;
  }

  public String wireName() {
    return extensions[0];
  }

  /** Parses {@code --inputFormat}, case-insensitively. */
  public static InputFormat parse(String name) {
    for (InputFormat f : values()) {
      if (f.wireName().equalsIgnoreCase(name.trim())) {
        return f;
      }
    }
    throw new ConfigValidationException("--inputFormat=" + name + " is not supported; use "
        + "jsonl, csv, parquet or avro");
  }

  /** The format a file name's extension names (after a compression suffix), or null. */
  public static InputFormat fromFileName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String c : COMPRESSION) {
      if (lower.endsWith(c)) {
        lower = lower.substring(0, lower.length() - c.length());
        break;
      }
    }
    int dot = lower.lastIndexOf('.');
    int slash = lower.lastIndexOf('/');
    if (dot < 0 || dot < slash) {
      return null;
    }
    String ext = lower.substring(dot + 1);
    for (InputFormat f : values()) {
      for (String e : f.extensions) {
        if (e.equals(ext)) {
          return f;
        }
      }
    }
    return null;
  }
}
