package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.assertEquals;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
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
}
