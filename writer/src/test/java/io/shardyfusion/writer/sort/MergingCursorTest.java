package io.shardyfusion.writer.sort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MergingCursorTest {
  /** A sorted in-memory source that, like ExternalSorter's, copies its key on every call. */
  private static RecordCursor source(List<byte[]> sortedKeys, int[] closed) {
    return new RecordCursor() {
      int i = -1;

      @Override
      public boolean next() {
        return ++i < sortedKeys.size();
      }

      @Override
      public byte[] key() {
        return sortedKeys.get(i).clone();
      }

      @Override
      public byte[] value() {
        return Arrays.copyOf(sortedKeys.get(i), 1);
      }

      @Override
      public void close() {
        closed[0]++;
      }
    };
  }

  @Test
  void mergesAnyNumberOfSortedSourcesKeepingDuplicates() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      int sources = random.nextInt(12);
      List<RecordCursor> cursors = new ArrayList<>();
      List<byte[]> all = new ArrayList<>();
      int[] closed = {0};
      for (int s = 0; s < sources; s++) {
        List<byte[]> keys = new ArrayList<>();
        int n = random.nextInt(random.nextBoolean() ? 3 : 60);
        for (int k = 0; k < n; k++) {
          byte[] key = new byte[1 + random.nextInt(3)];
          for (int b = 0; b < key.length; b++) {
            key[b] = (byte) random.nextInt(4); // small alphabet: many ties across sources
          }
          keys.add(key);
        }
        keys.sort(Arrays::compareUnsigned);
        all.addAll(keys);
        cursors.add(source(keys, closed));
      }
      all.sort(Arrays::compareUnsigned);

      List<byte[]> merged = new ArrayList<>();
      try (MergingCursor m = new MergingCursor(cursors)) {
        while (m.next()) {
          assertThat(m.value()).isEqualTo(Arrays.copyOf(m.key(), 1));
          merged.add(m.key());
        }
        assertThat(m.next()).as("stays at the end").isFalse();
      }
      assertThat(merged).as("round %d, %d sources", round, sources)
          .usingElementComparator(Arrays::compareUnsigned).containsExactlyElementsOf(all);
      assertThat(closed[0]).isEqualTo(sources);
    }
  }
}
