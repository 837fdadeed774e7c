package io.shardyfusion.manifest.postgres;

import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.manifest.store.ThreeRuns;
import io.shardyfusion.storage.LocalObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Real writer output, written once per JVM (a small RocksDB run), and copies of it under other
 * run ids and creation times, so tests can publish many manifests cheaply.
 */
final class TestManifests {
  private static Manifest base;

  private TestManifests() {}

  /** The writer's manifest of a 12-row run. */
  static synchronized Manifest base() {
    if (base == null) {
      try {
        Path dir = Files.createTempDirectory("pg-manifests-");
        ThreeRuns.writeRun(dir.resolve("store"), dir.resolve("build"), "base", 12);
        ObjectStoreManifestStore files =
            new ObjectStoreManifestStore(new LocalObjectStore(dir.resolve("store")));
        base = files.loadManifest(files.listManifests(1).get(0).ref());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return base;
  }

  /** The base manifest as if run {@code runId} had written it at {@code createdAt}. */
  static Manifest run(String runId, Instant createdAt) {
    BuildMeta r = base().required();
    BuildMeta meta = new BuildMeta(runId, createdAt, r.numDbs(), r.s3Prefix(), r.keyCol(),
        r.sharding(), r.dbPathTemplate(), r.shardPrefix(), r.formatVersion(), r.keyEncoding(),
        r.shardFormat());
    return new Manifest(meta, base().shards(), base().custom());
  }

  /** Run {@code runId}, created {@code i} seconds after a fixed instant (so order is known). */
  static Manifest run(String runId, int i) {
    // Microseconds: the precision manifests keep (the Python system's).
    return run(runId, Instant.parse("2026-01-05T14:30:00.123456Z").plusSeconds(i));
  }
}
