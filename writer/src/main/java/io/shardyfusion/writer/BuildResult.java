package io.shardyfusion.writer;

import io.shardyfusion.manifest.ShardMeta;
import java.io.Serializable;
import java.util.List;

/**
 * A published snapshot, as its writer reports it.
 *
 * @param winners the published shards, by db id (empty shards are not listed)
 * @param manifestRef the manifest's URL, which {@code _CURRENT} now names
 */
public record BuildResult(String runId, List<ShardMeta> winners, String manifestRef,
    BuildStats stats) implements Serializable {

  public BuildResult {
    winners = List.copyOf(winners);
  }
}
