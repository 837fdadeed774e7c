package io.shardyfusion.records;

import io.shardyfusion.errors.ShardyfusionException;

/**
 * A record that cannot be used. The message is {@code SOURCE: PROBLEM}: the record (file and line
 * where the format has lines), the field, the problem and the fix.
 */
public final class BadRecordException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final String problem;

  public BadRecordException(String source, String problem) {
    super(source + ": " + problem, false);
    this.source = source;
    this.problem = problem;
  }

  public BadRecordException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, false, cause);
    this.source = source;
    this.problem = problem;
  }

  /** Where the record is, e.g. {@code /data/users.csv:17}. */
  public String source() {
    return source;
  }

  /** What is wrong with it, without the source. */
  public String problem() {
    return problem;
  }
}
