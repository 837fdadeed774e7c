package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.PipelineTempDir;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Beam writer's run record: RUNNING before each shard is uploaded, then PUBLISHED/FAILED. */
@IntegrationTest
class ShardedWriteRunRecordTest {
  /** What the record said right after each upload; the Direct runner shares this JVM. */
  private static final Queue<RunStatus> SEEN_AT_UPLOAD = new ConcurrentLinkedQueue<>();

  private final Pipeline p = DirectPipelines.create();
  /** Not {@code @TempDir}: after a job fails, its other tasks may still be writing here. */
  @RegisterExtension final PipelineTempDir tmp = new PipelineTempDir();

  private Path newFolder(String name) throws IOException {
    return Files.createDirectory(tmp.resolve(name));
  }

  @Test
  void duplicateKeysMarkTheRunFailed() throws Exception {
    Path storeDir = newFolder("dup");
    // One shard, so no other worker can renew the record after the failure marks it.
    WriteConfig config = WriteConfig.builder().numDbs(1).s3Prefix(storeDir.toUri().toString())
        .runId("dup-run").tempDir(newFolder("dupbuild")).build();
    p.apply(Create.of(List.of(1L, 2L, 2L)))
        .apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k).withValueFn(k -> new byte[] {1}));

    assertThatThrownBy(() -> DirectPipelines.run(p))
        .isInstanceOf(PipelineExecutionException.class)
        .hasCauseInstanceOf(DuplicateKeyException.class);
    LocalObjectStore store = new LocalObjectStore(storeDir);
    assertThat(new RunRecords(store, Clock.systemUTC()).load("dup-run").orElseThrow().status())
        .isEqualTo(RunStatus.FAILED);
    assertThat(store.getIfExists(SnapshotLayout.CURRENT)).isEmpty();
  }

  @Test
  void theRunRecordIsRunningWhileShardsUploadAndPublishedAfter() throws Exception {
    Path storeDir = newFolder("store");
    String root = storeDir.toString();
    WriteConfig config = WriteConfig.builder().numDbs(4).s3Prefix(storeDir.toUri().toString())
        .runId("beam-run").tempDir(newFolder("build")).build();
    SEEN_AT_UPLOAD.clear();

    p.apply(Create.of(LongStream.range(0, 400).boxed().toList()))
        .apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k)
            .withValueFn(k -> ("v" + k).getBytes(StandardCharsets.UTF_8))
            .withAttemptHook(attempt -> SEEN_AT_UPLOAD.add(
                new RunRecords(new LocalObjectStore(Paths.get(root)), Clock.systemUTC())
                    .load("beam-run").orElseThrow().status())));
    Instant started = Instant.now();
    DirectPipelines.run(p);

    assertThat(SEEN_AT_UPLOAD).hasSize(4).containsOnly(RunStatus.RUNNING);
    LocalObjectStore store = new LocalObjectStore(storeDir);
    RunRecord r = new RunRecords(store, Clock.systemUTC()).load("beam-run").orElseThrow();
    assertThat(r.status()).isEqualTo(RunStatus.PUBLISHED);
    assertThat(r.writer().engine()).isEqualTo(BuildShardFn.WRITER_NAME);
    assertThat(r.startedAt()).isAfterOrEqualTo(started.minusSeconds(1));
    assertThat(r.leaseLive(Instant.now())).isFalse();
    assertThat(new ObjectStoreManifestStore(store).loadCurrent().orElseThrow().runId())
        .isEqualTo("beam-run");
    // Tasks that found no record at once each create one; publish finished every one of them.
    String published = new ObjectStoreManifestStore(store).loadCurrent().orElseThrow()
        .manifestRef();
    List<RunRecord> all = new RunRecords(store, Clock.systemUTC()).loadAll("beam-run");
    assertThat(all).isNotEmpty().allSatisfy(each -> {
      assertThat(each.status()).isEqualTo(RunStatus.PUBLISHED);
      assertThat(each.manifestRef()).isEqualTo(published);
    });
    assertThat(store.list(SnapshotLayout.RUNS + "/")).extracting(o -> o.key())
        .isEqualTo(all.stream().map(RunRecord::key).toList()).allMatch(k -> k.matches(
            "runs/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z_run_id=beam-run_[0-9a-f]{32}/run\\.yaml"));
  }
}
