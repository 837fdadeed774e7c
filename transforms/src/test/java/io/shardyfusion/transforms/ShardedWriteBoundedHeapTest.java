package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.IntegrationTest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Direct runner builds a snapshot larger than its heap: 2.5M rows of 100-byte values
 * (about 270 MB of records) in a child JVM with {@code -Xmx256m}. Before sorted runs went
 * through run files, the Direct runner held every shard's group in heap and this ran out of
 * memory.
 */
@IntegrationTest
class ShardedWriteBoundedHeapTest {
  private static final long ROWS = 2_500_000;
  @TempDir Path tmp;

  @Test
  void aWriteLargerThanTheHeapCompletesOnTheDirectRunner() throws Exception {
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    String output = tmp.resolve("store").toUri().toString();
    Path log = tmp.resolve("child.log");
    Process child = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:+ExitOnOutOfMemoryError", "-cp", classpath,
        BoundedHeapDirectWrite.class.getName(), output, tmp.resolve("build").toString(),
        Long.toString(ROWS)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // An external process: wait for it with a deadline, never a sleep.
    boolean ended = child.waitFor(15, TimeUnit.MINUTES);
    if (!ended) {
      child.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(ended).as("the child ended within 15 minutes: %s", tail(out)).isTrue();
    assertThat(child.exitValue()).as("the child's exit; its output ends: %s", tail(out))
        .isZero();

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(output)
        .localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(ROWS);
      for (long k = 0; k < ROWS; k += 99_991) {
        assertThat(reader.get(k)).isEqualTo(BoundedHeapDirectWrite.value(k));
      }
    }
    assertThat(new File(tmp.resolve("build").toString()).list())
        .as("run files deleted after publish").noneMatch(n -> n.startsWith("shardy-runs-"));
  }

  private static String tail(String s) {
    return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
  }
}
