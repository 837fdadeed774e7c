package io.shardyfusion.manifest.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.ops.cleanup.Cleanup;
import io.shardyfusion.ops.cleanup.CleanupListener;
import io.shardyfusion.ops.cleanup.CleanupPlan;
import io.shardyfusion.ops.cleanup.CleanupReport;
import io.shardyfusion.ops.cleanup.RetentionPolicy;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.UsesPostgres;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention cleanup with history in PostgreSQL and shards (plus run records) on file://. */
@UsesPostgres
class PostgresCleanupTest {
  private static PostgresServer pg;
  private static String database;
  @TempDir Path tmp;

  @BeforeAll
  static void database(PostgresServer server) {
    pg = server;
    database = server.createDatabase("cleanup");
  }

  @Test
  void keepLastOneDeletesOldManifestRowsAndTheirShards() {
    PostgresConfig pgConfig = PgFixture.config(pg, database).build();
    String prefix = tmp.resolve("store").toUri().toString();
    for (String run : List.of("r1", "r2", "r3")) {
      WriteConfig cfg = WriteConfig.builder().numDbs(4).s3Prefix(prefix).runId(run)
          .manifestStore(PostgresManifestStore.factory(pgConfig)).tempDir(tmp.resolve("b"))
          .build();
      SnapshotWriter.writeSharded(LongStream.range(0, 30).boxed().toList(), cfg, k -> k,
          k -> (run + k).getBytes(StandardCharsets.UTF_8));
    }
    LocalObjectStore objects = new LocalObjectStore(tmp.resolve("store"));
    assertThat(objects.list(SnapshotLayout.MANIFESTS + "/")).as("history is in PostgreSQL")
        .isEmpty();

    try (PostgresManifestStore manifests = new PostgresManifestStore(pgConfig)) {
      Cleanup cleanup = new Cleanup(manifests, objects, Clock.systemUTC());
      CleanupPlan plan = cleanup.plan(RetentionPolicy.builder().keepLast(1).build());
      assertThat(plan.manifestsToDelete()).hasSize(2).allMatch(r -> r.startsWith("postgres:"));
      CleanupReport report = cleanup.execute(plan, CleanupListener.NONE);

      assertThat(report.runsDeleted()).containsExactly("r1", "r2");
      assertThat(manifests.listManifests(10)).extracting(ManifestEntry::runId)
          .containsExactly("r3");
      assertThat(new RunRecords(objects, Clock.systemUTC()).list()).containsOnlyKeys("r3");
      Map<String, Long> left = objects.list(SnapshotLayout.SHARDS + "/").stream()
          .collect(Collectors.toMap(ObjectInfo::key, ObjectInfo::size));
      assertThat(left.keySet()).allMatch(k -> k.startsWith(SnapshotLayout.runShardsPrefix("r3")));
      Manifest current = manifests.loadManifest(
          manifests.loadCurrent().orElseThrow().manifestRef());
      for (ShardMeta s : current.shards()) {
        for (ShardFile f : s.files()) {
          assertThat(left).containsEntry(objects.keyOf(s.dbUrl()) + "/" + f.name(), f.size());
        }
      }
    }
  }
}
