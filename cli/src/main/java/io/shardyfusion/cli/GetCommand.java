package io.shardyfusion.cli;

import io.shardyfusion.reader.ShardedReader;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shardy get KEY}: one key's value. As in the Python CLI, a missing key exits 0 (found:
 * false) unless {@code --strict}, which exits 1.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Print the value of one key (downloads the snapshot's shards first).",
    footer = {"", "Keys: integers for u64be/u32be snapshots, text for utf8, hex:0a1b / 0x0a1b / "
        + "base64:Chs= for raw.",
        "Exit codes (as the Python CLI): 0 found or not found, 1 not found with --strict or the "
            + "read failed, 2 a bad key or option.",
        "--routing-context: the columns multi-column CEL sharding routes by, NAME=VALUE "
            + "(repeatable, as the Python CLI) or one JSON object (a JVM extension); values "
            + "take the type the manifest's cel_columns declare.",
        "", "Examples:",
        "  shardy get 42",
        "  shardy --output-format text get alice@example.com",
        "  shardy get --value-format hex 42",
        "  shardy get --strict 42 || echo missing",
        "  shardy get 42 --routing-context region=eu --routing-context tier=3",
        "  shardy --offset 1 get 42      # from the snapshot before the current one"})
final class GetCommand extends OpCommand {
  @Parameters(paramLabel = "KEY", description = "The key.")
  String key;

  @Option(names = "--value-format", paramLabel = "FMT",
      description = "auto (UTF-8 text when valid, else base64), utf8, base64 or hex (default: "
          + "reader.toml's [output] value_encoding, else auto).")
  ValueFormat valueFormat;

  @Option(names = "--strict", description = "Exit 1 when the key is not found.")
  boolean strict;

  @picocli.CommandLine.Mixin
  RoutingContextOption routingContext = new RoutingContextOption();

  @Override
  public Result run(Session session) {
    ShardedReader reader = session.reader();
    Object k = KeyParser.parse(key, reader.manifest().keyEncoding());
    byte[] value = reader.get(k, routingContext.parse(reader.manifest().shardingSpec()));
    ValueFormat format = session.valueFormat(valueFormat);
    Map<String, Object> row = Lookups.row(key, k, value, format, session.nullRepr());
    if (value == null) {
      return Result.record(row, "key " + key + ": not found").withExitCode(strict ? 1 : 0);
    }
    return Result.record(row, format.render(value));
  }
}
