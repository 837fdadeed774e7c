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
 * or not; as in the Python CLI the exit code is 0 either way, unless {@code --strict} (a JVM
 * extension): then 1 when any key is missing.
 */
@Command(name = "multiget", mixinStandardHelpOptions = true,
    description = "Print the values of many keys (one row per key, in the order given).",
    footer = {"", "'-' reads the keys from stdin, one per line (empty lines are skipped).",
        "Exit codes (as the Python CLI): 0 (missing keys are printed with found: false), 1 the "
            + "read failed or, with --strict, any key is missing, 2 a bad key or option.",
        "", "Examples:",
        "  shardy multiget 1 2 3",
        "  seq 1 1000 | shardy multiget - > values.jsonl",
        "  shardy --output-format table multiget --value-format hex 7 8"})
final class MultiGetCommand extends OpCommand {
  @Parameters(paramLabel = "KEY", arity = "1..*", description = "Keys, or '-' for stdin.")
  List<String> keys;

  @Option(names = "--value-format", paramLabel = "FMT",
      description = "auto (UTF-8 text when valid, else base64), utf8, base64 or hex (default: "
          + "reader.toml's [output] value_encoding, else auto).")
  ValueFormat valueFormat;

  @Option(names = "--strict", description = "Exit 1 when any key is missing (a JVM extension).")
  boolean strict;

  @picocli.CommandLine.Mixin
  RoutingContextOption routingContext = new RoutingContextOption();

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
    Map<String, Object> context = routingContext.parse(reader.manifest().shardingSpec());
    List<byte[]> values = typed.isEmpty() ? List.of() : context == null
        ? reader.multiGetList(parsed) : lookUp(reader, parsed, context);
    ValueFormat format = session.valueFormat(valueFormat);
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> text = new ArrayList<>();
    int missing = 0;
    for (int i = 0; i < typed.size(); i++) {
      byte[] v = values.get(i);
      rows.add(Lookups.row(typed.get(i), parsed.get(i), v, format, session.nullRepr()));
      text.add(typed.get(i) + ": " + (v == null ? "not found" : format.render(v)));
      missing += v == null ? 1 : 0;
    }
    return Result.rows(rows, text).withExitCode(missing == 0 || !strict ? 0 : 1);
  }

  /** Values parallel to {@code keys}, all routed with one context (raw keys by position). */
  static List<byte[]> lookUp(ShardedReader reader, List<Object> keys,
      Map<String, Object> context) {
    List<byte[]> out = new ArrayList<>(keys.size());
    for (Object k : keys) {
      out.add(reader.get(k, context));
    }
    return out;
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
