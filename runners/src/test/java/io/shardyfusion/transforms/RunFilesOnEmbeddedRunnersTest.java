package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which path the runs take on a real embedded runner: a shard task that finds the run's file
 * directory under the temp directory was handed run files; one that does not, shuffle blocks.
 */
@IntegrationTest
class RunFilesOnEmbeddedRunnersTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} {1} runsThroughShuffle={2}")
  @CsvSource({
      "--runner=FlinkRunner, --flinkMaster=[local], false, true",
      "--runner=FlinkRunner, --flinkMaster=[local], true, false",
      "--runner=SparkRunner, --sparkMaster=local[2], false, true",
      "--runner=SparkRunner, --sparkMaster=local[2], true, false",
  })
  void embeddedRunnersPassRunsAsFilesUnlessToldOtherwise(String runner, String master,
      boolean runsThroughShuffle, boolean expectFiles) throws Exception {
    WriteConfig config = WriteConfig.builder().numDbs(2)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
        .build();
    ShardedWrite<Long> write = ShardedWrite.<Long>to(config).withKeyFn(i -> i)
        .withValueFn(i -> new byte[] {1});
    Path seen = tmp.resolve("seen");
    String runDir = SortedRun.runFilesDir(config.tempDir().toString(), write.runId()).toString();
    String seenPath = seen.toString();
    write = write.withAttemptHook(attempt -> {
      try {
        Files.writeString(Paths.get(seenPath), Files.isDirectory(Paths.get(runDir)) + "\n",
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(runner, master,
        "--parallelism=2").withoutStrictParsing().create());
    p.apply(GenerateSequence.from(0).to(1_000))
        .apply(runsThroughShuffle ? write.withRunsThroughShuffle() : write);
    assertThat(p.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);

    assertThat(Files.readAllLines(seen)).as("one line per shard attempt")
        .isEqualTo(List.of(String.valueOf(expectFiles), String.valueOf(expectFiles)));
    assertThat(Paths.get(runDir)).as("run files are deleted after publish").doesNotExist();
  }
}
