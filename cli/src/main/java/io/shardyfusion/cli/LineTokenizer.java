package io.shardyfusion.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a REPL line into words the way a POSIX shell does for simple cases: whitespace
 * separates, {@code '...'} quotes literally, {@code "..."} quotes with backslash escapes, and a
 * backslash outside quotes escapes the next character. So {@code get "a key"} works for utf8
 * keys with spaces.
 */
final class LineTokenizer {
  private LineTokenizer() {}

  /**
   * @throws UsageException for an unclosed quote or a trailing backslash
   */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\\') {
        if (++i == line.length()) {
          throw new UsageException("the line ends with a backslash");
        }
        word.append(line.charAt(i));
        inWord = true;
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new UsageException("unclosed " + quote + " quote");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
