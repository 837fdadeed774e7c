package io.shardyfusion.writer;

import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.writer.publish.ShardAttempt;

import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardingMeta;
import io.shardyfusion.writer.WriteConfig;
import java.time.Instant;
import java.util.List;

/** Builds the manifest of a run from its config and winning shards. */
public final class ManifestAssembler {
  private ManifestAssembler() {}

  public static Manifest assemble(WriteConfig config, String runId, Instant createdAt,
      int numDbs, List<ShardAttempt> winners) {
    BuildMeta meta = new BuildMeta(runId, createdAt, numDbs, config.s3Prefix(), config.keyCol(),
        ShardingMeta.of(config.sharding()), BuildMeta.DB_PATH_TEMPLATE, SnapshotLayout.SHARDS,
        BuildMeta.FORMAT_VERSION, config.keyEncoding().wireName(),
        config.shardBackend().name());
    return new Manifest(meta, winners.stream().map(ShardAttempt::toShardMeta).toList(),
        config.customFields());
  }
}
