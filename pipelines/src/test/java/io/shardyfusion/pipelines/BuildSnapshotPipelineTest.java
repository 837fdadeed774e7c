package io.shardyfusion.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.BuildResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's transforms on a Direct-runner pipeline, checked with PAssert. */
@IntegrationTest
class BuildSnapshotPipelineTest {
  private final Pipeline p = DirectPipelines.create();
  @TempDir Path tmp;

  @Test
  void expandsToAWriteOfEveryInputRecord() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("in"));
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        lines.add("{\"id\": " + (f * 100 + i) + ", \"name\": \"n\"}");
      }
      Files.write(dir.resolve("part-" + f + ".jsonl"), lines, StandardCharsets.UTF_8);
    }
    BuildSnapshotOptions options = PipelineOptionsFactory.fromArgs(
        "--input=" + dir + "/part-*.jsonl", "--keyField=id", "--numDbs=3",
        "--output=" + Files.createDirectory(tmp.resolve("store")).toUri(),
        "--tempDir=" + Files.createDirectory(tmp.resolve("build")))
        .as(BuildSnapshotOptions.class);

    PCollection<BuildResult> result = BuildSnapshot.expand(p, options);
    PAssert.thatSingleton(result).satisfies(r -> {
      assertThat(r.stats().rowsWritten()).isEqualTo(300);
      assertThat(r.winners()).hasSize(3);
      return null;
    });
    DirectPipelines.run(p);
  }
}
