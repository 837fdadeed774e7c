package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two readers of one JVM on one {@code localRoot} (the in-process half of the use marks; {@link
 * SharedLocalRootTest} runs two processes): one's eviction keeps what the other serves.
 */
class SharedLocalRootInJvmTest {
  private static final long KEYS = 500;

  @TempDir Path tmp;

  @Test
  void oneReadersEvictionKeepsTheDirectoriesAnotherReaderOnTheRootServes() throws Exception {
    WriteConfig config = TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("b"));
    Path root = tmp.resolve("local");
    TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "t0");
    try (ShardedReader a = ShardedReader.open(TestSnapshots.readerFor(config, root).build());
        ShardedReader b = ShardedReader.open(TestSnapshots.readerFor(config, root).build())) {
      List<Path> served = dirs(b);
      TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "t1");

      assertThat(a.refresh()).isTrue();
      a.awaitHousekeeping();
      assertThat(a.evictUnusedLocalFiles()).isZero();
      assertThat(served).allSatisfy(d -> assertThat(d).isDirectoryContaining("glob:**.sst"));
      for (long k = 0; k < KEYS; k++) {
        assertThat(TestSnapshots.str(b.get(k))).isEqualTo(TestSnapshots.value("t0", k));
      }

      assertThat(b.refresh()).isTrue();
      b.awaitHousekeeping();
      assertThat(served).allSatisfy(d -> assertThat(d).doesNotExist());
      assertThat(SharedLocalRootTest.shardDirs(root)).containsExactlyInAnyOrderElementsOf(dirs(a));
    }
  }

  private static List<Path> dirs(ShardedReader r) {
    return r.shardDetails().stream().map(ShardDetail::localPath).filter(Objects::nonNull)
        .toList();
  }
}
