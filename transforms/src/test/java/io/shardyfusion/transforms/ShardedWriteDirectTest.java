package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.store.InMemoryManifestStore;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ShardedWrite on the Direct runner: a snapshot that reads back, and a separate manifest store. */
@IntegrationTest
class ShardedWriteDirectTest {
  private final Pipeline p = DirectPipelines.create();
  @TempDir Path tmp;

  private Path folder(String name) throws IOException {
    return Files.createDirectory(tmp.resolve(name));
  }

  @Test
  void writesAndPublishesASnapshotThatReadsBack() throws Exception {
    String prefix = folder("store").toUri().toString();
    List<Long> keys = LongStream.range(0, 10_000).boxed().toList();
    WriteConfig config = WriteConfig.builder().numDbs(4).s3Prefix(prefix)
        .tempDir(folder("build")).build();

    PCollection<BuildResult> result = p.apply(Create.of(keys))
        .apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k)
            .withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8)));
    PAssert.thatSingleton(result).satisfies(r -> {
      assertThat(r.stats().rowsWritten()).isEqualTo(10_000);
      assertThat(r.winners()).hasSize(4);
      return null;
    });
    DirectPipelines.run(p);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(folder("reader")).build())) {
      for (long k : keys) {
        assertThat(reader.get(k)).asString(StandardCharsets.UTF_8).isEqualTo("v" + k);
      }
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(10_000);
    }
  }

  /** Shared with the pipeline through a static: the factory lambda captures nothing. */
  private static final InMemoryManifestStore MEMORY = new InMemoryManifestStore();

  @Test
  void publishesToTheConfiguredManifestStore() throws Exception {
    String prefix = folder("store2").toUri().toString();
    WriteConfig config = WriteConfig.builder().numDbs(4).s3Prefix(prefix)
        .tempDir(folder("build2")).manifestStore(s -> MEMORY).runId("m1")
        .build();
    List<Long> keys = LongStream.range(0, 1_000).boxed().toList();
    p.apply(Create.of(keys)).apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k)
        .withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8)));
    DirectPipelines.run(p);

    assertThat(new LocalObjectStore(tmp.resolve("store2"))
        .getIfExists("_CURRENT")).as("the pointer went to the manifest store").isEmpty();
    CurrentPointer current = MEMORY.loadCurrent().orElseThrow();
    assertThat(current.runId()).isEqualTo("m1");
    Manifest m = MEMORY.loadManifest(current.manifestRef());
    assertThat(m.totalRows()).isEqualTo(1_000);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(folder("reader2")).manifestStore(s -> MEMORY).build())) {
      assertThat(reader.get(999L)).asString(StandardCharsets.UTF_8).isEqualTo("v999");
    }
  }
}
