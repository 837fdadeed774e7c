package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRoundTripTest {
  @TempDir Path tmp;

  @Test
  void writesAndReadsBackThroughAFileStore() {
    List<Long> keys = LongStream.range(0, 10_000).boxed().toList();
    WriteConfig config = WriteConfig.builder().numDbs(4)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build")).build();
    BuildResult result = SnapshotWriter.writeSharded(keys, config, k -> k,
        k -> ("v" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));

    assertThat(result.stats().rowsWritten()).isEqualTo(10_000);
    assertThat(result.winners()).hasSize(4);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      for (long k : keys) {
        assertThat(reader.get(k)).asString(StandardCharsets.UTF_8).isEqualTo("v" + k);
      }
      assertThat(reader.get(10_000L)).isNull();
      List<Long> batch = new ArrayList<>(List.of(1L, 2L, 3L, 42L, 100L, 123_456L));
      Map<Object, byte[]> got = reader.multiGet(batch);
      assertThat(got).containsOnlyKeys(1L, 2L, 3L, 42L, 100L, 123_456L);
      assertThat(new String(got.get(42L), StandardCharsets.UTF_8)).isEqualTo("v42");
      assertThat(got.get(123_456L)).isNull();
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(10_000);
      assertThat(reader.snapshotInfo().runId()).isEqualTo(result.runId());
    }
  }

  @Test
  void rawKeysReadBackInRequestOrderWithMultiGetList() {
    List<byte[]> keys = List.of(new byte[] {1}, new byte[] {2, 2}, new byte[] {3, 3, 3});
    WriteConfig config = WriteConfig.builder().numDbs(2)
        .keyEncoding(io.shardyfusion.routing.KeyEncoding.RAW)
        .s3Prefix(tmp.resolve("raw").toUri().toString()).tempDir(tmp.resolve("b")).build();
    SnapshotWriter.writeSharded(keys, config, k -> k, k -> new byte[] {(byte) k.length});
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("r")).build())) {
      List<byte[]> got = reader.multiGetList(List.of(new byte[] {3, 3, 3}, new byte[] {9},
          new byte[] {1}));
      assertThat(got.get(0)).containsExactly(3);
      assertThat(got.get(1)).isNull();
      assertThat(got.get(2)).containsExactly(1);
    }
  }
}
