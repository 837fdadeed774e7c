package io.shardyfusion.writer;

import io.shardyfusion.manifest.ManifestFormats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class SnapshotWriterTest {
  @TempDir Path tmp;

  private WriteConfig.Builder config() {
    return WriteConfig.builder().numDbs(4).s3Prefix(tmp.resolve("store").toUri().toString())
        .tempDir(tmp.resolve("build"));
  }

  private LocalObjectStore store() {
    return new LocalObjectStore(tmp.resolve("store"));
  }

  private static byte[] valueOf(Object k) {
    return ("v" + k).getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void everyKeyLandsInTheShardTheRouterNamesWithAccurateManifestFigures(boolean parallel)
      throws Exception {
    List<Long> keys = LongStream.range(0, 20_000).map(i -> i * 31 + 7).boxed().toList();
    WriteConfig cfg = config().customField("owner", "team-a").build();
    BuildResult result = SnapshotWriter.writeSharded(keys, cfg, k -> k, SnapshotWriterTest::valueOf,
        WriteOptions.defaults().withParallel(parallel).withSortBufferBytes(1 << 20));

    ShardRouter router = ShardRouters.create(ShardingSpec.hash(), 4, KeyEncoding.U64BE);
    Map<Integer, List<Long>> expected = new TreeMap<>();
    for (long k : keys) {
      expected.computeIfAbsent(router.route(k), x -> new ArrayList<>()).add(k);
    }
    assertThat(result.stats().rowsWritten()).isEqualTo(20_000);
    assertThat(result.winners()).extracting(ShardMeta::dbId).containsExactly(0, 1, 2, 3);

    LocalObjectStore store = store();
    CurrentPointer pointer = ManifestCodec.parseCurrent(store.get(SnapshotLayout.CURRENT), "t");
    assertThat(pointer.manifestRef()).isEqualTo(result.manifestRef());
    assertThat(pointer.runId()).isEqualTo(result.runId());
    Manifest manifest = ManifestFormats.decode(store.get(store.keyOf(result.manifestRef())),
        "t");
    assertThat(manifest.custom()).containsEntry("owner", "team-a");
    assertThat(manifest.numDbs()).isEqualTo(4);

    for (ShardMeta shard : manifest.shards()) {
      List<Long> mine = expected.get(shard.dbId());
      assertThat(shard.rowCount()).isEqualTo(mine.size());
      assertThat(((Number) shard.minKey()).longValue()).isEqualTo(mine.stream().min(Long::compare).get());
      assertThat(((Number) shard.maxKey()).longValue()).isEqualTo(mine.stream().max(Long::compare).get());
      Path local = tmp.resolve("check-" + shard.dbId());
      for (var f : shard.files()) {
        store.download(store.keyOf(shard.dbUrl()) + "/" + f.name(), local.resolve(f.name()));
      }
      try (Options o = new Options(); RocksDB db = RocksDB.openReadOnly(o, local.toString())) {
        for (long k : mine) {
          assertThat(db.get(KeyEncoding.encodeU64(k))).isEqualTo(valueOf(k));
        }
      }
    }
  }

  @Test
  void stringAndRawKeysRoundTripWithTheirEncodings() throws Exception {
    List<String> keys = List.of("alpha", "beta", "", "ünïcødé", "z".repeat(300));
    BuildResult r = SnapshotWriter.writeSharded(keys, config().numDbs(2)
        .keyEncoding(KeyEncoding.UTF8).build(), k -> k, SnapshotWriterTest::valueOf);
    assertThat(r.stats().rowsWritten()).isEqualTo(5);
    BuildResult raw = SnapshotWriter.writeSharded(List.of(new byte[] {1}, new byte[] {2, 3}),
        config().numDbs(2).keyEncoding(KeyEncoding.RAW).build(), k -> k, k -> k);
    assertThat(raw.stats().rowsWritten()).isEqualTo(2);
    assertThat(raw.winners()).allSatisfy(s -> assertThat(s.minKey()).isInstanceOf(String.class));
  }

  @Test
  void numDbsIsDerivedFromMaxKeysPerShard() {
    List<Long> keys = LongStream.range(0, 1001).boxed().toList();
    BuildResult r = SnapshotWriter.writeSharded(keys, WriteConfig.builder()
        .maxKeysPerShard(100).s3Prefix(tmp.resolve("mk").toUri().toString())
        .tempDir(tmp.resolve("b")).build(), k -> k, SnapshotWriterTest::valueOf);
    assertThat(r.stats().numDbs()).isEqualTo(11);
  }

  @Test
  void duplicateKeysFailNamingTheKeyAndLeaveThePreviousSnapshotCurrent() throws Exception {
    BuildResult first = SnapshotWriter.writeSharded(List.of(1L, 2L, 3L), config().build(),
        k -> k, SnapshotWriterTest::valueOf);
    byte[] currentBefore = store().get(SnapshotLayout.CURRENT);

    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(10L, 11L, 10L),
        config().runId("dup-run").build(), k -> k, SnapshotWriterTest::valueOf))
        .isInstanceOf(DuplicateKeyException.class)
        .hasMessageContaining("duplicate key 10");

    assertThat(store().get(SnapshotLayout.CURRENT)).isEqualTo(currentBefore);
    assertThat(store().list(SnapshotLayout.runShardsPrefix("dup-run")))
        .as("a failed run removes what it uploaded").isEmpty();
    assertThat(store().list(SnapshotLayout.MANIFESTS + "/")).extracting(ObjectInfo::key)
        .singleElement().asString().contains(first.runId());
  }

  @Test
  void aFailedManifestWriteLeavesThePreviousSnapshotCurrent() throws Exception {
    SnapshotWriter.writeSharded(List.of(1L, 2L), config().build(), k -> k,
        SnapshotWriterTest::valueOf);
    byte[] before = store().get(SnapshotLayout.CURRENT);
    // A file where the manifests directory should be makes the manifest write fail.
    Path manifests = tmp.resolve("store").resolve(SnapshotLayout.MANIFESTS);
    deleteTree(manifests);
    Files.writeString(manifests, "in the way");

    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(5L, 6L), config()
        .runId("broken").build(), k -> k, SnapshotWriterTest::valueOf))
        .isInstanceOf(ShardyfusionException.class)
        .hasMessageContaining("manifests");
    assertThat(store().get(SnapshotLayout.CURRENT)).isEqualTo(before);
    assertThat(store().list(SnapshotLayout.runShardsPrefix("broken"))).isEmpty();
  }

  @Test
  void badRecordsAreNamedByPosition() {
    List<Object> keys = Arrays.asList(1L, 2L, null);
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(keys, config().build(), k -> k,
        SnapshotWriterTest::valueOf))
        .isInstanceOf(KeyValidationException.class)
        .hasMessageContaining("record #2").hasMessageContaining("null");
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.<Object>of(1L, "x"),
        config().build(), k -> k, SnapshotWriterTest::valueOf))
        .isInstanceOf(KeyValidationException.class)
        .hasMessageContaining("record #1").hasMessageContaining("u64be");
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(-4L), config().build(),
        k -> k, SnapshotWriterTest::valueOf))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(1L), config().build(),
        k -> k, k -> null))
        .isInstanceOf(KeyValidationException.class).hasMessageContaining("value");
    assertThat(Files.exists(tmp.resolve("store").resolve(SnapshotLayout.CURRENT))).isFalse();
  }

  @Test
  void configErrorsNameTheSettingAndTheFix() {
    assertThatThrownBy(() -> WriteConfig.builder().numDbs(0))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("numDbs")
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> WriteConfig.builder().s3Prefix("http://bucket/x"))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("s3Prefix");
    assertThatThrownBy(() -> WriteConfig.builder().s3Prefix("s3://bucket/x").build())
        .hasMessageContaining("numDbs or maxKeysPerShard");
    assertThatThrownBy(() -> WriteConfig.builder().s3Prefix("s3://bucket/x").numDbs(3)
        .maxKeysPerShard(10).build()).hasMessageContaining("not both");
    assertThatThrownBy(() -> WriteConfig.builder().runId("../etc"))
        .hasMessageContaining("runId");
    assertThat(new ConfigValidationException("x").retryable()).isFalse();
  }

  private static void deleteTree(Path p) throws Exception {
    if (Files.exists(p)) {
      try (var walk = Files.walk(p)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }

  @Test
  void celShardCountIsDiscoveredFromTheIdsTheExpressionYields() {
    List<Long> keys = LongStream.range(0, 600).boxed().toList();
    BuildResult r = SnapshotWriter.writeSharded(keys, WriteConfig.builder()
        .s3Prefix(tmp.resolve("cel").toUri().toString()).tempDir(tmp.resolve("b"))
        .sharding(ShardingSpec.cel("key % 6")).build(), k -> k, SnapshotWriterTest::valueOf);
    assertThat(r.stats().numDbs()).isEqualTo(6);
    assertThat(r.winners()).extracting(ShardMeta::rowCount).containsOnly(100L);

    assertThatThrownBy(() -> SnapshotWriter.writeSharded(keys, WriteConfig.builder()
        .s3Prefix(tmp.resolve("gap").toUri().toString()).tempDir(tmp.resolve("b"))
        .sharding(ShardingSpec.cel("(key % 3) * 2")).build(), k -> k,
        SnapshotWriterTest::valueOf))
        .isInstanceOf(io.shardyfusion.errors.RoutingException.class)
        .hasMessageContaining("gapped");
    assertThat(Files.exists(tmp.resolve("gap").resolve(SnapshotLayout.CURRENT))).isFalse();
  }

  @Test
  void aCelIdOutsideTheDeclaredShardsNamesTheRecord() {
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(1L, 2L, 9L), config()
        .sharding(ShardingSpec.cel("key")).build(), k -> k, SnapshotWriterTest::valueOf))
        .isInstanceOf(io.shardyfusion.errors.RoutingException.class)
        .hasMessageContaining("record #2");
  }
}
