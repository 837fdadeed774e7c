package io.shardyfusion.pipelines;

import static org.junit.Assert.assertEquals;

import io.shardyfusion.writer.BuildResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The job's transforms on a TestPipeline, checked with PAssert. */
public class BuildSnapshotPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void expandsToAWriteOfEveryInputRecord() throws Exception {
    Path dir = tmp.newFolder("in").toPath();
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        lines.add("{\"id\": " + (f * 100 + i) + ", \"name\": \"n\"}");
      }
      Files.write(dir.resolve("part-" + f + ".jsonl"), lines, StandardCharsets.UTF_8);
    }
    BuildSnapshotOptions options = PipelineOptionsFactory.fromArgs(
        "--input=" + dir + "/part-*.jsonl", "--keyField=id", "--numDbs=3",
        "--output=" + tmp.newFolder("store").toURI(),
        "--tempDir=" + tmp.newFolder("build")).as(BuildSnapshotOptions.class);

    PCollection<BuildResult> result = BuildSnapshot.expand(p, options);
    PAssert.thatSingleton(result).satisfies(r -> {
      assertEquals(300, r.stats().rowsWritten());
      assertEquals(3, r.winners().size());
      return null;
    });
    p.run().waitUntilFinish();
  }
}
