package io.shardyfusion.writer;

import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.writer.ManifestAssembler;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.publish.SnapshotPublisher;
import io.shardyfusion.writer.publish.WinnerSelector;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.ObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every writer: choose winners among the reported attempts, settle numDbs when
 * CEL discovers it, publish manifest then {@code _CURRENT}, mark the run record PUBLISHED, and
 * delete the losing attempts.
 */
public final class RunPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(RunPublisher.class);

  private RunPublisher() {}

  /** What a publish produced. */
  public record Outcome(Manifest manifest, String manifestRef, List<ShardAttempt> winners) {}

  /**
   * @param numDbs the shard count, or -1 when the CEL expression's ids decide it
   */
  public static Outcome publish(ObjectStore store, ManifestStore manifests, WriteConfig config,
      String runId, Instant createdAt, int numDbs, Collection<ShardAttempt> attempts) {
    List<ShardAttempt> winners = WinnerSelector.winners(attempts);
    int n = numDbs;
    if (n < 0) {
      BitSet used = new BitSet();
      winners.forEach(w -> used.set(w.dbId()));
      n = ShardRouters.checkDiscoveredIds(used, config.sharding().celExpr());
    }
    Manifest manifest = ManifestAssembler.assemble(config, runId, createdAt, n, winners);
    SnapshotPublisher.Published published = SnapshotPublisher.publish(store, manifests,
        manifest, config.manifestFormat());
    markPublished(store, manifests.location(), runId);
    // Always list: an attempt whose task failed after uploading (a retried bundle, a killed
    // speculative task) is never reported, so comparing counts would miss it.
    SnapshotPublisher.deleteLosers(store, runId, winners);
    return new Outcome(manifest, published.manifestRef(), winners);
  }

  /**
   * Best effort: the snapshot is already live, so a failed PUT must not fail the write. A
   * record left RUNNING only delays cleanup of this run's losers until its lease expires.
   */
  private static void markPublished(ObjectStore store, String manifestStore, String runId) {
    try {
      new RunRecords(store, Clock.systemUTC(), manifestStore).finish(runId, RunStatus.PUBLISHED);
    } catch (RuntimeException e) {
      LOG.warn("run {} is published but its run record could not say so: {}", runId,
          e.toString());
    }
  }
}
