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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ExternalSorterTest {
  @TempDir Path tmp;

  /** Keys of random length 0..20 so that the prefix shortcut and the full compare both run. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void everyShardComesBackSortedAndCompleteAcrossSpills(boolean background) throws Exception {
    ExecutorService pool = background ? Executors.newFixedThreadPool(2) : null;
    Random rnd = new Random(7);
    Map<Integer, List<byte[]>> expected = new HashMap<>();
    try (ExternalSorter sorter = new ExternalSorter(tmp.resolve("s"), 1 << 20, pool)) {
      for (int i = 0; i < 60_000; i++) {
        byte[] key = new byte[rnd.nextInt(21)];
        rnd.nextBytes(key);
        byte[] value = new byte[rnd.nextInt(40)];
        rnd.nextBytes(value);
        int shard = rnd.nextInt(5);
        sorter.add(shard, key, value);
        expected.computeIfAbsent(shard, s -> new ArrayList<>()).add(concat(key, value));
      }
      sorter.finishInput();
      assertThat(sorter.spillCount()).as("the 1 MiB buffer must have spilled").isGreaterThan(1);
      assertThat(sorter.totalRecords()).isEqualTo(60_000);
      for (int shard = 0; shard < 5; shard++) {
        List<byte[]> got = new ArrayList<>();
        byte[] prev = null;
        try (RecordCursor c = sorter.cursor(shard)) {
          while (c.next()) {
            if (prev != null) {
              assertThat(Arrays.compareUnsigned(prev, c.key())).isLessThanOrEqualTo(0);
            }
            prev = c.key();
            got.add(concat(c.key(), c.value()));
          }
        }
        assertThat(sorter.records(shard)).isEqualTo(got.size());
        assertThat(sortedCopy(got)).containsExactlyElementsOf(sortedCopy(expected.get(shard)));
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    try (Stream<Path> left = Files.list(tmp.resolve("s"))) {
      assertThat(left).as("spill files are deleted on close").isEmpty();
    }
  }

  @Test
  void duplicatesStayAdjacentSoTheBuilderCanSeeThem() {
    try (ExternalSorter sorter = new ExternalSorter(tmp.resolve("d"), 1 << 20, null)) {
      sorter.add(0, new byte[] {5}, new byte[] {1});
      sorter.add(0, new byte[] {3}, new byte[] {1});
      sorter.add(0, new byte[] {5}, new byte[] {2});
      sorter.finishInput();
      List<Integer> keys = new ArrayList<>();
      try (RecordCursor c = sorter.cursor(0)) {
        while (c.next()) {
          keys.add((int) c.key()[0]);
        }
      }
      assertThat(keys).containsExactly(3, 5, 5);
    }
  }

  @Test
  void aRecordLargerThanTheBufferIsAClearError() {
    try (ExternalSorter sorter = new ExternalSorter(tmp.resolve("big"), 1 << 20, null)) {
      assertThatThrownBy(() -> sorter.add(0, new byte[8], new byte[2 << 20]))
          .isInstanceOf(ShardBuildException.class)
          .hasMessageContaining("larger than the sort buffer")
          .hasMessageContaining("sortBufferBytes");
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + 1 + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    out[a.length] = (byte) a.length;
    System.arraycopy(b, 0, out, a.length + 1, b.length);
    return out;
  }

  private static List<byte[]> sortedCopy(List<byte[]> in) {
    List<byte[]> out = new ArrayList<>(in);
    out.sort(Arrays::compareUnsigned);
    return out;
  }
}
