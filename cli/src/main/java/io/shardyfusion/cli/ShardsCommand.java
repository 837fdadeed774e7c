package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code shardy shards}: every shard id with its rows, key range, size and location. */
@Command(name = "shards", mixinStandardHelpOptions = true,
    description = "List every shard (0..num_dbs-1, empty ones too): rows, min/max key, bytes, "
        + "db url.",
    footer = {"", "Reads only the manifest. Raw keys are shown in base64, as in the manifest.",
        "", "Examples:",
        "  shardy shards",
        "  shardy --output-format jsonl shards | jq 'select(.rows > 1000000)'"})
final class ShardsCommand extends OpCommand {

  @Override
  public Result run(Session session) {
    Manifest m = session.served().manifest();
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> text = new ArrayList<>();
    for (int id = 0; id < m.numDbs(); id++) {
      ShardMeta s = m.shard(id).orElse(null);
      if (s == null) {
        rows.add(fields("db_id", id, "rows", 0L, "min_key", null, "max_key", null, "bytes", 0L,
            "db_url", null));
        text.add("shard " + id + ": empty");
        continue;
      }
      rows.add(fields("db_id", id, "rows", s.rowCount(), "min_key", s.minKey(), "max_key",
          s.maxKey(), "bytes", s.dbBytes(), "db_url", s.dbUrl()));
      text.add("shard " + id + ": " + s.rowCount() + " rows, keys " + s.minKey() + ".."
          + s.maxKey() + ", " + s.dbBytes() + " bytes at " + s.dbUrl());
    }
    return Result.rows(rows, text);
  }
}
