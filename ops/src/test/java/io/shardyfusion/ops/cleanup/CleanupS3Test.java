package io.shardyfusion.ops.cleanup;

import static io.shardyfusion.ops.cleanup.Snapshots.assertComplete;
import static io.shardyfusion.ops.cleanup.Snapshots.listing;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cleanup against a real S3 API server: batch deletes and S3's own LastModified times. */
@UsesS3Proxy
class CleanupS3Test {
  static S3ProxyServer s3;
  static String bucket;
  @TempDir Path tmp;

  @BeforeAll
  static void bucket(S3ProxyServer server) {
    s3 = server;
    bucket = server.createUniqueBucket("cleanup");
  }

  private S3ConnectionOptions options() {
    return S3ConnectionOptions.builder().endpointUrl(s3.endpoint()).addressingStyle("path")
        .region(s3.region()).maxAttempts(2).build();
  }

  private StaticCredentialProvider credentials() {
    return new StaticCredentialProvider(s3.accessKey(), s3.secretKey());
  }

  @Test
  void keepLastOneOnS3DeletesOldRunsKeepsAYoungOrphanAndTheCurrentSnapshotWhole() {
    String prefix = "s3://" + bucket + "/users";
    List<BuildResult> runs = new ArrayList<>();
    for (String run : List.of("r1", "r2", "r3")) {
      WriteConfig cfg = WriteConfig.builder().numDbs(4).s3Prefix(prefix).runId(run)
          .credentialProvider(credentials()).s3ConnectionOptions(options()).tempDir(tmp).build();
      runs.add(SnapshotWriter.writeSharded(LongStream.range(0, 50).boxed().toList(), cfg,
          k -> k, k -> (run + k).getBytes(StandardCharsets.UTF_8), WriteOptions.defaults()));
    }
    try (ObjectStore store = ObjectStores.open(prefix, options(), credentials())) {
      WriteConfig cfg = WriteConfig.builder().numDbs(4).s3Prefix(prefix).tempDir(tmp).build();
      Snapshots.uploadAttempt(store, cfg, "orphan");
      assertThat(store.list(SnapshotLayout.runShardsPrefix("orphan")))
          .allMatch(o -> o.lastModified() != null);
      ObjectStoreManifestStore manifests = new ObjectStoreManifestStore(store);
      Instant now = Instant.now();
      Cleanup cleanup = new Cleanup(manifests, store, Clock.fixed(now, ZoneOffset.UTC));
      Map<String, Long> before = listing(store);

      CleanupPlan plan = cleanup.plan(RetentionPolicy.builder().keepLast(1).build());
      assertThat(listing(store)).as("planning is read-only").isEqualTo(before);
      CleanupReport report = cleanup.execute(plan, CleanupListener.NONE);

      assertThat(report.runsDeleted()).containsExactly("r1", "r2");
      assertThat(report.runsKept()).containsOnlyKeys("orphan", "r3");
      assertThat(manifests.listManifests(10)).extracting(ManifestEntry::runId)
          .containsExactly("r3");
      assertThat(new RunRecords(store, Clock.systemUTC()).list()).containsOnlyKeys("r3");
      assertComplete(store, manifests, runs.get(2).manifestRef());
      assertThat(store.list(SnapshotLayout.runShardsPrefix("r1"))).isEmpty();

      // Two hours on, S3's LastModified makes the orphan older than the grace.
      Cleanup later = new Cleanup(manifests, store,
          Clock.fixed(now.plus(Duration.ofHours(2)), ZoneOffset.UTC));
      later.execute(later.plan(RetentionPolicy.builder().keepLast(1).build()),
          CleanupListener.NONE);
      assertThat(store.list(SnapshotLayout.runShardsPrefix("orphan"))).isEmpty();
      assertComplete(store, manifests, runs.get(2).manifestRef());
    }
  }
}
