package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download listener hears every data shard once per load, at open and at refresh. */
class ShardDownloadListenerTest {
  @TempDir Path tmp;

  @Test
  void reportsEachShardWithRunningTotals() {
    WriteConfig config = TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build"));
    BuildResult run1 = TestSnapshots.write(config.toBuilder().runId("run1").build(),
        keys(0, 100), "run1");
    List<long[]> calls = new ArrayList<>();
    ReaderConfig readerConfig = TestSnapshots.readerFor(config, tmp.resolve("reader"))
        .downloadListener((done, total, bytes) -> calls.add(new long[] {done, total, bytes}))
        .build();

    try (ShardedReader reader = ShardedReader.open(readerConfig)) {
      long totalBytes = reader.manifest().totalBytes();
      int shards = reader.manifest().shards().size();
      assertThat(shards).isEqualTo(run1.winners().size()).isGreaterThan(1);
      assertThat(calls).hasSize(shards);
      for (int i = 0; i < shards; i++) {
        assertThat(calls.get(i)[0]).isEqualTo(i + 1);
        assertThat(calls.get(i)[1]).isEqualTo(shards);
      }
      assertThat(calls.get(shards - 1)[2]).isEqualTo(totalBytes).isPositive();

      calls.clear();
      TestSnapshots.write(config.toBuilder().runId("run2").build(), keys(0, 50), "run2");
      assertThat(reader.refresh()).isTrue();
      assertThat(calls).as("a refresh loads the new snapshot's shards").hasSize(
          reader.manifest().shards().size());
      assertThat(calls.get(calls.size() - 1)[2]).isEqualTo(reader.manifest().totalBytes());
    }
  }

  @Test
  void defaultsToNoListener() {
    ReaderConfig c = ReaderConfig.builder().s3Prefix("file:///tmp/x").localRoot(tmp).build();
    assertThat(c.downloadListener()).isSameAs(ShardDownloadListener.NONE);
  }
}
