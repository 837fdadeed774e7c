package io.shardyfusion.transforms;

import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.BuildStats;
import io.shardyfusion.writer.RunPublisher;
import io.shardyfusion.writer.WriteConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * The singleton publish step. It runs once, on the one element {@link ShardedWrite} creates,
 * after every shard attempt is available as a side input: winners, manifest, then
 * {@code _CURRENT}, then the run record (PUBLISHED, or FAILED when no retry can succeed), then
 * loser cleanup. A retry of this step republishes the same winners under
 * the same manifest key (createdAt is fixed when the pipeline is built).
 */
final class PublishFn extends DoFn<String, BuildResult> {
  private static final long serialVersionUID = 1L;

  private final WriteConfig config;
  private final Instant createdAt;
  private final PCollectionView<List<ShardAttempt>> attemptsView;
  private final PCollectionView<Integer> numDbsView; // null when numDbs is known up front

  PublishFn(WriteConfig config, Instant createdAt,
      PCollectionView<List<ShardAttempt>> attemptsView, PCollectionView<Integer> numDbsView) {
    this.config = config;
    this.createdAt = createdAt;
    this.attemptsView = attemptsView;
    this.numDbsView = numDbsView;
  }

  @ProcessElement
  public void process(ProcessContext c) {
    String runId = c.element();
    List<ShardAttempt> attempts = c.sideInput(attemptsView);
    int numDbs = numDbsView == null ? ShardedWrite.fixedNumDbs(config) : c.sideInput(numDbsView);
    long t0 = System.nanoTime();
    try (ObjectStore store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
        ManifestStore manifests = config.openManifestStore(store)) {
      RunRecords runs = new RunRecords(store, Clock.systemUTC(), manifests.location());
      // Shards may have waited for the slowest one: renew before the checks, so cleanup does
      // not take this run's uploads for abandoned while it publishes.
      runs.ensureRunning(runId, config.runLease(), BuildShardFn.WRITER_NAME, null);
      RunPublisher.Outcome out;
      try {
        // Marks the run record PUBLISHED once _CURRENT is written.
        out = RunPublisher.publish(store, manifests, config, runId, createdAt, numDbs, attempts);
      } catch (ShardyfusionException e) {
        if (!e.retryable()) {
          BuildShardFn.markFailed(runs, runId, e);
        }
        throw e;
      }
      long rows = out.winners().stream().mapToLong(ShardAttempt::rowCount).sum();
      long bytes = out.winners().stream().mapToLong(ShardAttempt::dbBytes).sum();
      long publishMs = (System.nanoTime() - t0) / 1_000_000;
      long totalMs = Duration.between(createdAt, Instant.now()).toMillis();
      BuildStats stats = new BuildStats(rows, bytes, out.manifest().numDbs(),
          out.winners().size(), attempts.size(), 0, Math.max(0, totalMs - publishMs), publishMs,
          totalMs);
      c.output(new BuildResult(runId, out.manifest().shards(), out.manifestRef(), stats));
    }
  }
}
