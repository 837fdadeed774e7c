package io.shardyfusion.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The interactive loop ({@code shardy} without a command): reads commands from stdin, one per
 * line, with the subcommands' syntax ({@code get 42}, {@code info}, {@code refresh}, ...), and
 * runs them on one {@link Session}, so the reader opened by the first lookup serves every later
 * line and {@code refresh} switches it to a new {@code _CURRENT}. Prompts only on a terminal;
 * {@code quit}, {@code exit} or end of input ends it. Lines starting with {@code #} are comments.
 * A failing line prints its error and the loop goes on; the REPL itself exits 0.
 */
final class Repl {
  private static final Set<String> QUIT = Set.of("quit", "exit");
  static final String PROMPT = "shardy> ";

  private final Session session;

  Repl(Session session) {
    this.session = session;
  }

  int run() {
    CliContext ctx = session.context();
    PrintStream out = ctx.out();
    BufferedReader in = new BufferedReader(new InputStreamReader(ctx.in(),
        StandardCharsets.UTF_8));
    if (ctx.interactive()) {
      out.println("shardy: type a command (help lists them), quit to leave");
    }
    try {
      for (;;) {
        if (ctx.interactive()) {
          out.print(PROMPT);
          out.flush();
        }
        String line = in.readLine();
        if (line == null) {
          break;
        }
        List<String> words;
        try {
          words = LineTokenizer.split(line);
        } catch (UsageException e) {
          ctx.err().println("shardy: error: " + e.getMessage());
          continue;
        }
        if (words.isEmpty() || words.get(0).startsWith("#")) {
          continue;
        }
        if (words.size() == 1 && QUIT.contains(words.get(0))) {
          break;
        }
        ShardyCli.commandLine(new ShardyCli(ctx, session)).execute(words.toArray(String[]::new));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read commands from stdin", e);
    }
    return 0;
  }
}
