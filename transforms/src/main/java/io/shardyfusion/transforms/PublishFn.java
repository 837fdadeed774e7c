package io.shardyfusion.transforms;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.PreviousSnapshot;
import io.shardyfusion.writer.RunLifecycle;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.publish.ShardAttempt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Step 4 of the {@link RunLifecycle}, once: the singleton publish step runs on the one element
 * {@link ShardedWrite} creates, after every shard attempt is available as a side input. It
 * renews the run's lease (shards may have waited for the slowest one), then publishes: winners,
 * manifest, {@code _CURRENT}, record PUBLISHED, losers deleted; a failure follows the
 * lifecycle's rule. A retry of this step republishes the same winners under the same manifest
 * key (the run id and createdAt are fixed when the pipeline is built). Outputs the run's
 * {@link BuildResult}. Then it deletes the run's shared run files, if it had any.
 */
final class PublishFn extends DoFn<String, BuildResult> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(PublishFn.class);

  private final RunLifecycle lifecycle;
  private final PCollectionView<List<ShardAttempt>> attemptsView;
  private final PCollectionView<Long> rowCountView; // null when the count needs no rows
  // The distinct CEL tokens when the config infers its routing values, else null.
  private final PCollectionView<List<String>> routingValuesView;
  private final String runFilesDir; // null when runs travelled through the shuffle

  PublishFn(RunLifecycle lifecycle, PCollectionView<List<ShardAttempt>> attemptsView,
      PCollectionView<Long> rowCountView, PCollectionView<List<String>> routingValuesView,
      String runFilesDir) {
    this.lifecycle = lifecycle;
    this.routingValuesView = routingValuesView;
    this.attemptsView = attemptsView;
    this.rowCountView = rowCountView;
    this.runFilesDir = runFilesDir;
  }

  @ProcessElement
  public void process(ProcessContext c) {
    List<ShardAttempt> attempts = c.sideInput(attemptsView);
    // The manifest records the inferred routing values (the same set SortRunsFn routed by).
    RunLifecycle lifecycle = routingValuesView == null ? this.lifecycle
        : this.lifecycle.withConfig(InferRoutingValues.resolve(this.lifecycle.config(),
            c.sideInput(routingValuesView)));
    WriteConfig config = lifecycle.config();
    try (ObjectStore store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
        ManifestStore manifests = config.openManifestStore(store)) {
      RunLifecycle.Run run = lifecycle.join(store, manifests, PreviousSnapshot.Reusable.NONE);
      try {
        ShardCount count = ShardedWrite.resolve(config.shardCount(), c, rowCountView);
        // Routing happened on the workers: the whole run is build time here.
        c.output(run.publish(attempts, count, 0));
      } catch (RuntimeException e) {
        throw run.fail(e);
      }
    }
    if (runFilesDir != null) {
      // Every shard is built: no task reads run files any more, including files of bundle
      // attempts the runner discarded.
      deleteTree(Paths.get(runFilesDir));
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete the run files under {}: {}; delete them by hand", dir,
          e.toString());
    }
  }
}
