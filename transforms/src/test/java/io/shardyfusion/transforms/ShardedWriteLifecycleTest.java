package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.PipelineTempDir;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ShardedWrite as a run of the lifecycle: its run id, its BuildResult, its failure rule. */
@IntegrationTest
class ShardedWriteLifecycleTest {
  private final Pipeline p = DirectPipelines.create();
  @RegisterExtension final PipelineTempDir tmp = new PipelineTempDir();
  private int folders;

  private File folder(String name) throws java.io.IOException {
    return java.nio.file.Files.createDirectories(tmp.resolve(name)).toFile();
  }

  private static final List<Long> KEYS = LongStream.range(0, 2_000).boxed().toList();

  private static byte[] value(long k) {
    return ("v" + k).getBytes(StandardCharsets.UTF_8);
  }

  private WriteConfig config(File store) throws Exception {
    return WriteConfig.builder().numDbs(4).s3Prefix(store.toURI().toString())
        .tempDir(folder("tmp-" + folders++).toPath()).build();
  }

  @Test
  void theRunIdIsFixedWhenTheTransformIsMadeAndPublished() throws Exception {
    File store = folder("store");
    ShardedWrite<Long> made = ShardedWrite.to(config(store));
    ShardedWrite<Long> write = made.withKeyFn(k -> k).withValueFn(k -> value(k));
    assertThat(write.runId()).isEqualTo(made.runId())
        .isNotEqualTo(ShardedWrite.to(config(store)).runId());
    p.apply(Create.of(KEYS)).apply(write);
    DirectPipelines.run(p);
    assertThat(new ObjectStoreManifestStore(new LocalObjectStore(store.toPath())).loadCurrent()
        .orElseThrow().runId()).isEqualTo(made.runId());
  }

  /** The same records through the Beam writer and the in-process writer: the same result. */
  @Test
  void theOutputIsTheRunsBuildResultWithTheInProcessWritersFigures() throws Exception {
    BuildResult local = SnapshotWriter.writeSharded(KEYS, config(folder("local")),
        k -> k, ShardedWriteLifecycleTest::value);
    File store = folder("beam");
    PCollection<BuildResult> out = p.apply(Create.of(KEYS)).apply(ShardedWrite
        .<Long>to(config(store)).withKeyFn(k -> k).withValueFn(ShardedWriteLifecycleTest::value));
    String root = store.getPath();
    long rows = local.stats().rowsWritten();
    long bytes = local.stats().bytesWritten();
    assertThat(bytes).as("key + value bytes").isEqualTo(KEYS.stream()
        .mapToLong(k -> Long.BYTES + value(k).length).sum());
    List<String> hashes = local.winners().stream().map(ShardMeta::contentHash).toList();
    PAssert.thatSingleton(out).satisfies(r -> {
      assertThat(r.manifestRef()).isEqualTo(new ObjectStoreManifestStore(
          new LocalObjectStore(new File(root).toPath())).loadCurrent().orElseThrow()
          .manifestRef());
      assertThat(r.stats().rowsWritten()).isEqualTo(rows);
      assertThat(r.stats().bytesWritten()).isEqualTo(bytes);
      assertThat(r.stats().numDbs()).isEqualTo(4);
      assertThat(r.stats().numWinners()).isEqualTo(4);
      assertThat(r.stats().numAttemptResults()).isEqualTo(4);
      assertThat(r.winners()).extracting(ShardMeta::contentHash).isEqualTo(hashes);
      return null;
    });
    DirectPipelines.run(p);
  }

  /**
   * A failure a retry may fix (here: not one of ours) leaves the run for the runner's retry:
   * the uploads stay, the record stays RUNNING. The Direct runner does not retry, so they are
   * visible after the job fails.
   */
  @Test
  void aFailureARetryMayFixLeavesTheRunsUploadsAndRecord() throws Exception {
    File store = folder("retry");
    ShardedWrite<Long> write = ShardedWrite.<Long>to(config(store)).withKeyFn(k -> k)
        .withValueFn(ShardedWriteLifecycleTest::value).withAttemptHook(a -> {
          throw new IllegalStateException("worker lost after uploading " + a.dbId());
        });
    p.apply(Create.of(KEYS)).apply(write);
    assertThatThrownBy(() -> DirectPipelines.run(p))
        .isInstanceOf(PipelineExecutionException.class)
        .hasMessageContaining("worker lost after uploading");
    LocalObjectStore s = new LocalObjectStore(store.toPath());
    assertThat(s.list(SnapshotLayout.runShardsPrefix(write.runId()))).isNotEmpty();
    assertThat(new RunRecords(s, Clock.systemUTC()).load(write.runId()).orElseThrow().status())
        .isEqualTo(RunStatus.RUNNING);
    assertThat(s.getIfExists(SnapshotLayout.CURRENT)).isEmpty();
  }

  @Test
  void everyWithChecksItsArgumentAndDisplayDataNamesTheStores() throws Exception {
    ShardedWrite<Long> w = ShardedWrite.to(config(folder("dd")));
    assertThatThrownBy(() -> w.withKeyFn(null)).isInstanceOf(ConfigValidationException.class)
        .hasMessage("withKeyFn needs a function, got null");
    assertThatThrownBy(() -> w.withValueFn(null)).hasMessage("withValueFn needs a function, got null");
    assertThatThrownBy(() -> w.withRoutingContextFn(null))
        .hasMessage("withRoutingContextFn needs a function, got null");
    assertThatThrownBy(() -> w.withSortBufferBytes(-5)).hasMessageContaining("got -5");
    assertThatThrownBy(() -> ShardedWrite.to(null)).isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("got null");

    DisplayData data = DisplayData.from(w);
    assertThat(data.items()).anySatisfy(i -> {
      assertThat(i.getKey()).isEqualTo("manifestStore");
      assertThat(i.getValue()).isEqualTo("object store (next to the shards)");
    });
    assertThat(data.items()).anySatisfy(i -> {
      assertThat(i.getKey()).isEqualTo("runId");
      assertThat(i.getValue()).isEqualTo(w.runId());
    });
  }
}
