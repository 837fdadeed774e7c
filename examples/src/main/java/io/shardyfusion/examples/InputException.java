package io.shardyfusion.examples;

/** The input file cannot be used; the message names the file, the line and the problem. */
public final class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long lineNumber;

  InputException(String file, long lineNumber, String problem) {
    super(file + (lineNumber > 0 ? " line " + lineNumber : "") + ": " + problem);
    this.lineNumber = lineNumber;
  }

  InputException(String file, long lineNumber, String problem, Throwable cause) {
    super(file + (lineNumber > 0 ? " line " + lineNumber : "") + ": " + problem, cause);
    this.lineNumber = lineNumber;
  }

  /** 1-based line of the problem, or 0 when it concerns the whole file. */
  public long lineNumber() {
    return lineNumber;
  }
}
