package io.shardyfusion.ops.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.writer.ShardAttemptWriter;
import io.shardyfusion.writer.WriteConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Helpers for cleanup tests: what a store holds, and whether a snapshot is still whole. */
final class Snapshots {
  private Snapshots() {}

  /** Every key under the prefix with its size. */
  static Map<String, Long> listing(ObjectStore store) {
    return store.list("").stream().collect(Collectors.toMap(ObjectInfo::key, ObjectInfo::size,
        (a, b) -> a, TreeMap::new));
  }

  /** Every file the manifest lists exists with its size: a reader could load it. */
  static void assertComplete(ObjectStore store, ManifestStore manifests, String ref) {
    Manifest m = manifests.loadManifest(ref);
    Map<String, Long> all = listing(store);
    for (ShardMeta s : m.shards()) {
      String dir = store.keyOf(s.dbUrl());
      for (ShardFile f : s.files()) {
        assertThat(all).as("shard %d of %s", s.dbId(), ref)
            .containsEntry(dir + "/" + f.name(), f.size());
      }
    }
  }

  /** Uploads one attempt of shard 0 of {@code runId} the way a distributed worker does. */
  static ShardAttempt uploadAttempt(ObjectStore store, WriteConfig config, String runId) {
    return ShardAttemptWriter.write(store, config, runId, 0, sink -> {
      for (long k = 0; k < 5; k++) {
        sink.accept(ByteBuffer.allocate(8).putLong(k).array(),
            ("x" + k).getBytes(StandardCharsets.UTF_8));
      }
    }, 1 << 20, "test", null);
  }
}
