package io.shardyfusion.cli;

import io.shardyfusion.reader.ShardedReader;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shardy get KEY}: one key's value; exit 1 when the snapshot does not hold it. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Print the value of one key (downloads the snapshot's shards first).",
    footer = {"", "Keys: integers for u64be/u32be snapshots, text for utf8, hex:0a1b / 0x0a1b / "
        + "base64:Chs= for raw.",
        "Exit codes: 0 found, 1 not found or the read failed, 2 a bad key or option.",
        "", "Examples:",
        "  shardy get 42",
        "  shardy --output-format text get alice@example.com",
        "  shardy get --value-format hex 42",
        "  shardy --offset 1 get 42      # from the snapshot before the current one"})
final class GetCommand extends OpCommand {
  @Parameters(paramLabel = "KEY", description = "The key.")
  String key;

  @Option(names = "--value-format", paramLabel = "FMT", defaultValue = "auto",
      description = "auto (UTF-8 text when valid, else base64), utf8, base64 or hex.")
  ValueFormat valueFormat;

  @Override
  public Result run(Session session) {
    ShardedReader reader = session.reader();
    Object k = KeyParser.parse(key, reader.manifest().keyEncoding());
    byte[] value = reader.get(k);
    Map<String, Object> row = Lookups.row(key, k, value, valueFormat);
    if (value == null) {
      return Result.record(row, "key " + key + ": not found").withExitCode(1);
    }
    return Result.record(row, valueFormat.render(value));
  }
}
