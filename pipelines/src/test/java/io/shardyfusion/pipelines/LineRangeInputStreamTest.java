package io.shardyfusion.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineRangeInputStreamTest {
  @TempDir Path tmp;

  private static byte[] read(Path file, long start, long end, int readSize) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new LineRangeInputStream(FileChannel.open(file), start, end)) {
      byte[] b = new byte[readSize];
      for (int n; (n = in.read(b, 0, b.length)) >= 0; ) {
        out.write(b, 0, n);
      }
    }
    return out.toByteArray();
  }

  @Test
  void consecutiveRangesGiveEveryLineOnceWhereverTheyCut() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      StringBuilder text = new StringBuilder();
      int lines = random.nextInt(40);
      for (int i = 0; i < lines; i++) {
        int len = random.nextInt(random.nextBoolean() ? 5 : 200_000);
        text.append("x".repeat(len)).append(i);
        if (i < lines - 1 || random.nextBoolean()) {
          text.append('\n'); // the last line may lack its newline
        }
      }
      byte[] whole = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Path file = tmp.resolve("f" + round);
      Files.write(file, whole);
      TreeSet<Long> cuts = new TreeSet<>();
      int pieces = random.nextInt(8);
      for (int i = 0; i < pieces && whole.length > 0; i++) {
        cuts.add((long) random.nextInt(whole.length));
      }
      cuts.add(0L);
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      Long prev = null;
      for (long cut : cuts) {
        if (prev != null) {
          joined.write(read(file, prev, cut, 1 + random.nextInt(100_000)));
        }
        prev = cut;
      }
      joined.write(read(file, prev, random.nextBoolean() ? whole.length : Long.MAX_VALUE,
          1 + random.nextInt(100_000)));
      assertThat(joined.toByteArray()).as("round %d, cuts %s", round, cuts).isEqualTo(whole);
    }
  }

  @Test
  void aRangeStartingMidLineBeginsAtTheNextLine() throws Exception {
    Path file = tmp.resolve("three");
    Files.writeString(file, "aaa\nbbb\nccc\n");
    assertThat(new String(read(file, 1, 5, 3))).isEqualTo("bbb\n");
    assertThat(new String(read(file, 4, 5, 3))).isEqualTo("bbb\n");
    assertThat(new String(read(file, 3, 4, 3))).isEqualTo("");
    assertThat(new String(read(file, 0, 1, 3))).isEqualTo("aaa\n");
    assertThat(new String(read(file, 9, 100, 3))).isEqualTo("");
  }
}
