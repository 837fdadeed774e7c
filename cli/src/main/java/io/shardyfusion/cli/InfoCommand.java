package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code shardy info}: what the snapshot is, from its manifest (no shard is downloaded). */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Describe the snapshot: run id, creation time, manifest, shards, rows, key "
        + "encoding, sharding, prefix.",
    footer = {"", "Reads only the manifest (in the REPL: the one the open reader serves).",
        "", "Examples:",
        "  shardy info",
        "  shardy --ref s3://bucket/users/manifests/2026-01-01T00:00:00Z_run_id=r1/manifest "
            + "info",
        "  shardy --output-format json info | jq .run_id"})
final class InfoCommand extends OpCommand {

  @Override
  public Result run(Session session) {
    Session.Served served = session.served();
    Manifest m = served.manifest();
    Map<?, ?> sharding = ManifestCodec.mapper().convertValue(m.required().sharding(), Map.class);
    sharding.values().removeIf(java.util.Objects::isNull); // fields of other strategies
    Map<String, Object> row = fields(
        "run_id", m.runId(),
        "created_at", m.required().createdAt().toString(),
        "manifest_ref", served.ref(),
        "pinned", session.settings().pinned(),
        "num_dbs", m.numDbs(),
        "shards_with_data", m.shards().size(),
        "rows", m.totalRows(),
        "bytes", m.totalBytes(),
        "key_encoding", m.required().keyEncoding(),
        "sharding", sharding,
        "prefix", session.target().snapshotPrefix());
    String text = "Snapshot " + m.runId() + " created " + m.required().createdAt() + ": "
        + m.totalRows() + " rows in " + m.numDbs() + " shards (" + m.shards().size()
        + " with data, " + m.totalBytes() + " bytes), " + m.required().keyEncoding()
        + " keys, sharding " + Output.json(sharding, false) + ", manifest " + served.ref()
        + (session.settings().pinned() ? " (pinned)" : "") + ", prefix "
        + session.target().snapshotPrefix() + ".";
    return Result.record(row, text);
  }
}
