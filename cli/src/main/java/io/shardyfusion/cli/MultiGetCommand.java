package io.shardyfusion.cli;

import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.KeyEncoding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shardy multiget KEY... | -}: many keys in one batched read. Every key is printed, found
 * or not; the exit code is 0 only when all were found.
 */
@Command(name = "multiget", mixinStandardHelpOptions = true,
    description = "Print the values of many keys (one row per key, in the order given).",
    footer = {"", "'-' reads the keys from stdin, one per line (empty lines are skipped).",
        "Exit codes: 0 all keys found, 1 any key missing (all are still printed) or the read "
            + "failed, 2 a bad key or option.",
        "", "Examples:",
        "  shardy multiget 1 2 3",
        "  seq 1 1000 | shardy multiget - > values.jsonl",
        "  shardy --output-format table multiget --value-format hex 7 8"})
final class MultiGetCommand extends OpCommand {
  @Parameters(paramLabel = "KEY", arity = "1..*", description = "Keys, or '-' for stdin.")
  List<String> keys;

  @Option(names = "--value-format", paramLabel = "FMT", defaultValue = "auto",
      description = "auto (UTF-8 text when valid, else base64), utf8, base64 or hex.")
  ValueFormat valueFormat;

  @Override
  public Result run(Session session) {
    boolean fromStdin = keys.equals(List.of("-"));
    if (fromStdin && root != null && root.nested()) {
      // The REPL reads its lines from stdin: it cannot also be a list of keys.
      throw new UsageException("multiget - reads keys from stdin, which is not available in "
          + "the REPL or exec; list the keys");
    }
    List<String> typed = fromStdin ? readKeys(session) : keys;
    ShardedReader reader = session.reader();
    KeyEncoding encoding = reader.manifest().keyEncoding();
    List<Object> parsed = new ArrayList<>(typed.size());
    for (String k : typed) {
      parsed.add(KeyParser.parse(k, encoding));
    }
    List<byte[]> values = typed.isEmpty() ? List.of() : reader.multiGetList(parsed);
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> text = new ArrayList<>();
    int missing = 0;
    for (int i = 0; i < typed.size(); i++) {
      byte[] v = values.get(i);
      rows.add(Lookups.row(typed.get(i), parsed.get(i), v, valueFormat));
      text.add(typed.get(i) + ": " + (v == null ? "not found" : valueFormat.render(v)));
      missing += v == null ? 1 : 0;
    }
    return Result.rows(rows, text).withExitCode(missing == 0 ? 0 : 1);
  }

  private static List<String> readKeys(Session session) {
    List<String> out = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(session.context().in(),
        StandardCharsets.UTF_8));
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        // Only the line ending goes: spaces can be part of a utf8 key.
        String key = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (!key.isEmpty()) {
          out.add(key);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read keys from stdin", e);
    }
    return out;
  }
}
