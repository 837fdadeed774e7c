package io.shardyfusion.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the fault tests injected and how each operation ended, for this JVM (failsafe runs a
 * module's integration tests in one): rewritten to {@link #REPORT} after every operation, so
 * the file always holds the figures of every case run so far.
 */
final class FaultTally {
  /** Where the table goes: {@code transforms/target/fault-matrix.md}. */
  static final Path REPORT = Paths.get("target", "fault-matrix.md");

  /** One row's counters. */
  static final class Row {
    int operations;
    int injected;
    int survived;
    int failedOperations;
    int faultsInFailedOperations;
    long lostKeys;
  }

  private static final Map<String, Row> BY_SUITE = new TreeMap<>();
  private static final Map<String, Row> BY_FAULT = new TreeMap<>();

  private FaultTally() {}

  /** An operation that succeeded although {@code injected} faults hit it. */
  static synchronized void survived(String suite, FaultKind fault, int injected, long lostKeys) {
    for (Row r : rows(suite, fault)) {
      r.operations++;
      r.injected += injected;
      r.survived += injected;
      r.lostKeys += lostKeys;
    }
    write();
  }

  /** An operation that failed with a retryable error after {@code injected} faults. */
  static synchronized void failedCleanly(String suite, FaultKind fault, int injected,
      long lostKeys) {
    for (Row r : rows(suite, fault)) {
      r.operations++;
      r.injected += injected;
      r.failedOperations++;
      r.faultsInFailedOperations += injected;
      r.lostKeys += lostKeys;
    }
    write();
  }

  private static Row[] rows(String suite, FaultKind fault) {
    return new Row[] {BY_SUITE.computeIfAbsent(suite, k -> new Row()),
        BY_FAULT.computeIfAbsent(fault.ordinal() + " " + fault.label, k -> new Row())};
  }

  static synchronized String table() {
    StringBuilder sb = new StringBuilder();
    sb.append("## By suite\n\n");
    header(sb, "suite");
    Row total = new Row();
    BY_SUITE.forEach((k, r) -> {
      line(sb, k, r);
      total.operations += r.operations;
      total.injected += r.injected;
      total.survived += r.survived;
      total.failedOperations += r.failedOperations;
      total.faultsInFailedOperations += r.faultsInFailedOperations;
      total.lostKeys += r.lostKeys;
    });
    line(sb, "**total**", total);
    sb.append("\n## By fault\n\n");
    header(sb, "fault");
    BY_FAULT.forEach((k, r) -> line(sb, k.substring(k.indexOf(' ') + 1), r));
    return sb.toString();
  }

  private static void header(StringBuilder sb, String first) {
    sb.append("| ").append(first).append(" | operations | faults injected | survived "
        + "(operation succeeded, identical results) | operations failed cleanly (retryable "
        + "error, `_CURRENT` unchanged or complete, previous snapshot readable) | faults in "
        + "those | data lost (keys) |\n|---|---:|---:|---:|---:|---:|---:|\n");
  }

  private static void line(StringBuilder sb, String name, Row r) {
    sb.append("| ").append(name).append(" | ").append(r.operations).append(" | ")
        .append(r.injected).append(" | ").append(r.survived).append(" | ")
        .append(r.failedOperations).append(" | ").append(r.faultsInFailedOperations)
        .append(" | ").append(r.lostKeys).append(" |\n");
  }

  private static void write() {
    try {
      Files.createDirectories(REPORT.toAbsolutePath().getParent());
      Files.writeString(REPORT, "# Fault matrix (S3FaultProxy between the SDK and S3Proxy)\n\n"
          + table());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + REPORT, e);
    }
  }
}
