package io.shardyfusion.writer.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ShardBuildException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The distributed sort's two halves: {@link RunSorter} cuts sorted runs from many "bundles",
 * {@link RunMerger} merges one shard's runs back in bounded memory.
 */
class RunSorterMergerTest {
  @TempDir Path tmp;

  private record Input(Map<Integer, List<byte[]>> expected,
      Map<Integer, List<byte[]>> blocks, Map<Integer, List<long[]>> segments,
      List<Path> files) {}

  /**
   * 100 bundles of random records over 3 shards through a 1 MiB sorter that drains when full and
   * at each bundle's end, as blocks (of at most 64 KiB) or as file segments.
   */
  private Input produce(boolean toFiles) throws Exception {
    Random rnd = new Random(11);
    Input in = new Input(new HashMap<>(), new HashMap<>(), new HashMap<>(), new ArrayList<>());
    RunSorter sorter = new RunSorter(1 << 20, 64 << 10);
    int[] file = {0};
    Runnable drain = () -> {
      if (toFiles) {
        Path f = tmp.resolve("run-" + file[0]++);
        in.files().add(f);
        sorter.drainToFile(f, (shard, off, len, records) -> in.segments()
            .computeIfAbsent(shard, s -> new ArrayList<>()).add(new long[] {in.files().size() - 1,
                off, len}));
      } else {
        sorter.drainBlocks((shard, block, records) -> {
          assertThat(block.length).isLessThanOrEqualTo(64 << 10);
          in.blocks().computeIfAbsent(shard, s -> new ArrayList<>()).add(block);
        });
      }
    };
    for (int bundle = 0; bundle < 100; bundle++) {
      int n = rnd.nextInt(1_500);
      for (int i = 0; i < n; i++) {
        byte[] key = new byte[1 + rnd.nextInt(16)];
        rnd.nextBytes(key);
        byte[] value = new byte[rnd.nextInt(300)];
        rnd.nextBytes(value);
        int shard = rnd.nextInt(3);
        if (!sorter.add(shard, key, value)) {
          drain.run();
          assertThat(sorter.add(shard, key, value)).isTrue();
        }
        in.expected().computeIfAbsent(shard, s -> new ArrayList<>()).add(concat(key, value));
      }
      if (!sorter.isEmpty()) {
        drain.run();
      }
    }
    return in;
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void mergedRunsGiveBackEveryShardSortedAndComplete(boolean toFiles) throws Exception {
    Input in = produce(toFiles);
    for (int shard = 0; shard < 3; shard++) {
      // 256 KiB of held blocks: the ~4 MiB per shard must spill many times; files > fan-in.
      try (RunMerger merger = new RunMerger(tmp.resolve("merge-" + shard), 256 << 10)) {
        if (toFiles) {
          assertThat(in.segments().get(shard)).as("more files than one merge reads at once")
              .hasSizeGreaterThan(RunMerger.MAX_FAN_IN);
          for (long[] s : in.segments().get(shard)) {
            merger.addFileSegment(in.files().get((int) s[0]), s[1], s[2]);
          }
        } else {
          in.blocks().get(shard).forEach(merger::addBlock);
        }
        List<byte[]> got = drainSorted(merger.finish());
        if (!toFiles) {
          assertThat(merger.spills()).as("held blocks went to disk").isGreaterThan(3);
        }
        assertThat(got).hasSameSizeAs(in.expected().get(shard));
        assertThat(sortedCopy(got)).containsExactlyElementsOf(
            sortedCopy(in.expected().get(shard)));
      }
      try (Stream<Path> left = Files.list(tmp.resolve("merge-" + shard))) {
        assertThat(left).as("the merger deletes its own spills on close").isEmpty();
      }
    }
    for (Path f : in.files()) {
      assertThat(f).as("the producers' run files are not the merger's to delete").exists();
    }
  }

  @Test
  void equalKeysOfTwoRunsStayAdjacentSoDuplicatesSurface() {
    RunSorter sorter = new RunSorter(1 << 20, 1 << 20);
    List<byte[]> blocks = new ArrayList<>();
    for (int bundle = 0; bundle < 2; bundle++) {
      for (int k = 0; k < 100; k++) {
        sorter.add(0, new byte[] {(byte) k, (byte) (k == 50 ? 0 : bundle)}, new byte[] {1});
      }
      sorter.drainBlocks((shard, block, records) -> blocks.add(block));
    }
    try (RunMerger merger = new RunMerger(tmp.resolve("m"), 1 << 20)) {
      blocks.forEach(merger::addBlock);
      List<byte[]> keys = new ArrayList<>();
      try (RecordCursor c = merger.finish()) {
        while (c.next()) {
          keys.add(c.key());
        }
      }
      assertThat(keys).hasSize(200);
      int at = -1;
      for (int i = 0; i < keys.size(); i++) {
        if (Arrays.equals(keys.get(i), new byte[] {50, 0})) {
          at = i;
          break;
        }
      }
      assertThat(keys.get(at + 1)).as("the duplicate key follows its twin").isEqualTo(
          new byte[] {50, 0});
    }
  }

  @Test
  void aRecordLargerThanTheBufferIsRefusedNamingTheFix() {
    RunSorter sorter = new RunSorter(1 << 20, 1 << 20);
    assertThatThrownBy(() -> sorter.add(0, new byte[8], new byte[2 << 20]))
        .isInstanceOf(ShardBuildException.class).hasMessageContaining("raise sortBufferBytes");
  }

  @Test
  void aDamagedBlockIsReportedRetryably() {
    try (RunMerger merger = new RunMerger(tmp.resolve("d"), 1 << 20)) {
      merger.addBlock(new byte[] {0, 0, 0, 9, 0, 0, 0, 0, 1, 2});
      RecordCursor c = merger.finish();
      assertThatThrownBy(c::next).isInstanceOf(ShardBuildException.class)
          .hasMessageContaining("ends inside a record")
          .satisfies(e -> assertThat(((ShardBuildException) e).retryable()).isTrue());
    }
  }

  private static List<byte[]> drainSorted(RecordCursor c) {
    List<byte[]> out = new ArrayList<>();
    byte[] prev = null;
    try (c) {
      while (c.next()) {
        if (prev != null) {
          assertThat(Arrays.compareUnsigned(prev, c.key())).isLessThanOrEqualTo(0);
        }
        prev = c.key();
        out.add(concat(c.key(), c.value()));
      }
    }
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + 4 + b.length);
    out[a.length] = (byte) (b.length >>> 8);
    out[a.length + 1] = (byte) b.length;
    System.arraycopy(b, 0, out, a.length + 4, b.length);
    return out;
  }

  private static List<byte[]> sortedCopy(List<byte[]> in) {
    List<byte[]> out = new ArrayList<>(in);
    out.sort(Arrays::compareUnsigned);
    return out;
  }
}
