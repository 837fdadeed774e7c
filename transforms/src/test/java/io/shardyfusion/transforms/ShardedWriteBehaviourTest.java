package io.shardyfusion.transforms;

import io.shardyfusion.manifest.ManifestFormats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.PipelineTempDir;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ShardedWrite on the Direct runner: sharding modes, bad input, and the transform's surface. */
@IntegrationTest
class ShardedWriteBehaviourTest {
  /** Not every test runs it: some only build transforms against its options. */
  private final Pipeline p = DirectPipelines.create();
  /** Not {@code @TempDir}: after a job fails, its other tasks may still be writing here. */
  @RegisterExtension final PipelineTempDir tmp = new PipelineTempDir();

  private File newFolder(String name) throws IOException {
    return Files.createDirectory(tmp.resolve(name)).toFile();
  }

  private File newFolder() throws IOException {
    return Files.createTempDirectory(tmp.path(), "dir").toFile();
  }

  private WriteConfig.Builder config(File store) throws Exception {
    return WriteConfig.builder().s3Prefix(store.toURI().toString())
        .tempDir(newFolder().toPath());
  }

  private static Manifest published(File store) {
    LocalObjectStore s = new LocalObjectStore(store.toPath());
    String ref = ManifestCodec.parseCurrent(s.get(SnapshotLayout.CURRENT), "t").manifestRef();
    return ManifestFormats.decode(s.get(s.keyOf(ref)), ref);
  }

  @Test
  void celBoundariesAndMaxKeysPerShardDecideTheShardCount() throws Exception {
    File cel = newFolder("cel");
    File maxKeys = newFolder("max");
    PCollection<Long> keys = p.apply(Create.of(LongStream.range(0, 900).boxed().toList()));
    PCollection<BuildResult> r1 = keys.apply("cel", ShardedWrite.<Long>to(config(cel)
        .sharding(ShardingSpec.cel("key", List.of(300L, 600L))).build())
        .withKeyFn(k -> k).withValueFn(k -> new byte[] {1}));
    PCollection<BuildResult> r2 = keys.apply("max", ShardedWrite.<Long>to(config(maxKeys)
        .maxKeysPerShard(100).build()).withKeyFn(k -> k).withValueFn(k -> new byte[] {2}));
    PAssert.thatSingleton(r1).satisfies(r -> {
      assertThat(r.stats().numDbs()).isEqualTo(3);
      return null;
    });
    PAssert.thatSingleton(r2).satisfies(r -> {
      assertThat(r.stats().numDbs()).isEqualTo(9);
      return null;
    });
    DirectPipelines.run(p);

    Manifest m = published(cel);
    assertThat(m.shards()).extracting(ShardMeta::rowCount).containsExactly(300L, 300L, 300L);
    assertThat(m.shards()).extracting(s -> ((Number) s.minKey()).longValue())
        .containsExactly(0L, 300L, 600L);
    assertThat(published(maxKeys).numDbs()).isEqualTo(9);
  }

  @Test
  void celDiscoversTheShardCountFromTheData() throws Exception {
    File store = newFolder("disc");
    p.apply(Create.of(LongStream.range(0, 70).boxed().toList()))
        .apply(ShardedWrite.<Long>to(config(store).sharding(ShardingSpec.cel("key % 7")).build())
            .withKeyFn(k -> k).withValueFn(k -> new byte[] {1}));
    DirectPipelines.run(p);
    assertThat(published(store).numDbs()).isEqualTo(7);
    assertThat(published(store).shards()).extracting(ShardMeta::rowCount).containsOnly(10L);
  }

  @Test
  void rawKeyValuePairsAndTheSingleShardVariant() throws Exception {
    File kvStore = newFolder("kv");
    File single = newFolder("single");
    List<KV<byte[], byte[]>> kvs = List.of(KV.of(new byte[] {1}, new byte[] {10}),
        KV.of(new byte[] {2, 2}, new byte[] {20}));
    p.apply(Create.of(kvs).withCoder(KvCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of())))
        .apply("kvs", ShardedWrite.ofKvs(config(kvStore).numDbs(2).keyEncoding(KeyEncoding.RAW)
            .build()));
    p.apply("more", Create.of(List.of("a", "b", "c")))
        .apply("single", ShardedWrite.<String>singleShard(config(single).numDbs(8)
            .keyEncoding(KeyEncoding.UTF8).build()).withKeyFn(k -> k)
            .withValueFn(k -> k.getBytes(StandardCharsets.UTF_8)));
    DirectPipelines.run(p);
    assertThat(published(kvStore).totalRows()).isEqualTo(2);
    assertThat(published(single).numDbs()).isEqualTo(1);
    assertThat(published(single).shards().get(0).minKey()).isEqualTo("a");
  }

  @Test
  void duplicateKeysFailTheJobNamingTheKeyAndLeaveCurrentAlone() throws Exception {
    File store = newFolder("dup");
    assertThatThrownBy(() -> {
      p.apply(Create.of(List.of(1L, 2L, 3L, 2L)))
          .apply(ShardedWrite.<Long>to(config(store).numDbs(2).build()).withKeyFn(k -> k)
              .withValueFn(k -> new byte[] {1}));
      DirectPipelines.run(p);
    }).isInstanceOf(PipelineExecutionException.class)
        .hasCauseInstanceOf(DuplicateKeyException.class)
        .hasMessageContaining("duplicate key 2");
    assertThat(new File(store, SnapshotLayout.CURRENT)).doesNotExist();
  }

  @Test
  void aNullKeyFailsTheJobNamingTheElement() throws Exception {
    File store = newFolder("nullkey");
    List<KV<Long, Long>> rows = Arrays.asList(KV.of(1L, 1L), KV.of(null, 7L));
    assertThatThrownBy(() -> {
      p.apply(Create.of(rows).withCoder(KvCoder.of(NullableCoder.of(VarLongCoder.of()),
              VarLongCoder.of())))
          .apply(ShardedWrite.<KV<Long, Long>>to(config(store).numDbs(2).build())
              .withKeyFn(KV::getKey).withValueFn(kv -> new byte[] {kv.getValue().byteValue()}));
      DirectPipelines.run(p);
    }).hasCauseInstanceOf(KeyValidationException.class)
        .hasMessageContaining("KV{null, 7}").hasMessageContaining("null");
    assertThat(new File(store, SnapshotLayout.CURRENT)).doesNotExist();
  }

  @Test
  void missingFunctionsAreReportedWhenThePipelineIsBuilt() throws Exception {
    ShardedWrite<Long> noKey = ShardedWrite.<Long>to(config(newFolder()).numDbs(2).build());
    assertThatThrownBy(() -> noKey.validate(p.getOptions()))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("withKeyFn");
    assertThatThrownBy(() -> noKey.withKeyFn(k -> k).validate(p.getOptions()))
        .hasMessageContaining("withValueFn");
    assertThatThrownBy(() -> ShardedWrite.<Map<String, Object>>to(config(newFolder())
        .sharding(ShardingSpec.celColumns("shard_hash(region) % 4u", Map.of("region",
            "string"))).build()).withKeyFn(m -> m.get("id")).withValueFn(m -> new byte[0])
        .validate(p.getOptions()))
        .hasMessageContaining("withRoutingContextFn");
    assertThatThrownBy(() -> noKey.withSortBufferBytes(10))
        .hasMessageContaining("sortBufferBytes");
  }

  @Test
  void displayDataDescribesTheSnapshot() throws Exception {
    ShardedWrite<Long> w = ShardedWrite.<Long>to(config(newFolder("dd")).numDbs(16).build());
    DisplayData data = DisplayData.from(w);
    assertThat(data.asMap().keySet().stream().map(DisplayData.Identifier::getKey))
        .contains("s3Prefix", "numDbs", "sharding", "keyEncoding", "sortBufferBytes");
    assertThat(data.items().stream().filter(i -> i.getKey().equals("numDbs")).findFirst()
        .orElseThrow().getValue()).isEqualTo(16L);
  }
}
