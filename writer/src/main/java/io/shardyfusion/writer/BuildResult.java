package io.shardyfusion.writer;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import java.io.Serializable;
import java.util.List;

/**
 * A published snapshot, as its writer reports it. {@link RunLifecycle} makes it when a run
 * publishes, for the in-process writer and the Beam transform alike.
 *
 * @param winners the published shards, by db id (empty shards are not listed)
 * @param manifestRef the manifest's URL, which {@code _CURRENT} now names
 */
public record BuildResult(String runId, List<ShardMeta> winners, String manifestRef,
    BuildStats stats) implements Serializable {

  public BuildResult {
    winners = List.copyOf(winners);
  }

  /** The result of publishing {@code manifest} as {@code manifestRef}. */
  public static BuildResult of(Manifest manifest, String manifestRef, BuildStats stats) {
    return new BuildResult(manifest.runId(), manifest.shards(), manifestRef, stats);
  }
}
