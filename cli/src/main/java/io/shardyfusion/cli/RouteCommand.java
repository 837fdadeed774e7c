package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.routing.ShardRouters;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code shardy route KEY}: which shard holds a key, from the manifest's sharding alone. */
@Command(name = "route", mixinStandardHelpOptions = true,
    description = "Print the shard a key routes to (no shard is downloaded).",
    footer = {"", "Uses the manifest's sharding (hash or CEL) exactly as writers and readers do.",
        "Multi-column CEL sharding routes by other columns too: give them with "
            + "--routing-context NAME=VALUE (repeatable, as the Python CLI) or one JSON object.",
        "", "Examples:",
        "  shardy route 42",
        "  shardy --output-format text route alice@example.com",
        "  shardy route 42 --routing-context region=eu --routing-context tier=3",
        "  shardy route 42 --routing-context '{\"region\": \"eu\", \"tier\": 3}'"})
final class RouteCommand extends OpCommand {
  @Parameters(paramLabel = "KEY", description = "The key.")
  String key;

  @picocli.CommandLine.Mixin
  RoutingContextOption routingContext = new RoutingContextOption();

  @Override
  public Result run(Session session) {
    Manifest m = session.served().manifest();
    Object k = KeyParser.parse(key, m.keyEncoding());
    Map<String, Object> context = routingContext.parse(m.shardingSpec());
    var router = ShardRouters.create(m.shardingSpec(), m.numDbs(), m.keyEncoding());
    int dbId = context == null ? router.route(k) : router.route(k, context);
    ShardMeta s = m.shard(dbId).orElse(null);
    Map<String, Object> row = fields("key", KeyParser.display(key, k), "db_id", dbId,
        "rows", s == null ? 0L : s.rowCount(), "db_url", s == null ? null : s.dbUrl());
    return Result.record(row, "key " + key + " routes to shard " + dbId
        + (s == null ? " (empty)" : " (" + s.rowCount() + " rows, " + s.dbUrl() + ")"));
  }
}
