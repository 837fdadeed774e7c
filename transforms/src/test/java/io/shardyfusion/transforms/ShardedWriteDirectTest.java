package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.assertEquals;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.store.InMemoryManifestStore;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ShardedWriteDirectTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void writesAndPublishesASnapshotThatReadsBack() throws Exception {
    String prefix = tmp.newFolder("store").toURI().toString();
    List<Long> keys = LongStream.range(0, 10_000).boxed().toList();
    WriteConfig config = WriteConfig.builder().numDbs(4).s3Prefix(prefix)
        .tempDir(tmp.newFolder("build").toPath()).build();

    PCollection<BuildResult> result = p.apply(Create.of(keys))
        .apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k)
            .withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8)));
    PAssert.thatSingleton(result).satisfies(r -> {
      assertEquals(10_000, r.stats().rowsWritten());
      assertEquals(4, r.winners().size());
      return null;
    });
    p.run().waitUntilFinish();

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.newFolder("reader").toPath()).build())) {
      for (long k : keys) {
        assertThat(reader.get(k)).asString(StandardCharsets.UTF_8).isEqualTo("v" + k);
      }
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(10_000);
    }
  }

  /** Shared with the pipeline through a static: the factory lambda captures nothing. */
  private static final InMemoryManifestStore MEMORY = new InMemoryManifestStore();

  @Test
  public void publishesToTheConfiguredManifestStore()
      throws Exception {
    String prefix = tmp.newFolder("store2").toURI().toString();
    WriteConfig config = WriteConfig.builder().numDbs(4).s3Prefix(prefix)
        .tempDir(tmp.newFolder("build2").toPath()).manifestStore(s -> MEMORY).runId("m1")
        .build();
    List<Long> keys = LongStream.range(0, 1_000).boxed().toList();
    p.apply(Create.of(keys)).apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k)
        .withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8)));
    p.run().waitUntilFinish();

    assertThat(new LocalObjectStore(tmp.getRoot().toPath().resolve("store2"))
        .getIfExists("_CURRENT")).as("the pointer went to the manifest store").isEmpty();
    CurrentPointer current = MEMORY.loadCurrent().orElseThrow();
    assertThat(current.runId()).isEqualTo("m1");
    Manifest m = MEMORY.loadManifest(current.manifestRef());
    assertThat(m.totalRows()).isEqualTo(1_000);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.newFolder("reader2").toPath()).manifestStore(s -> MEMORY).build())) {
      assertThat(reader.get(999L)).asString(StandardCharsets.UTF_8).isEqualTo("v999");
    }
  }
}
