package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two reader processes share one {@code localRoot} while a writer publishes snapshot after
 * snapshot: each reads every key after each refresh with zero errors, one process's eviction
 * never deletes a shard directory the other still serves, and directories nobody serves any
 * more are evicted (by the last process to let go of them, or a triggered eviction).
 */
@UsesS3Proxy
class SharedLocalRootTest {
  private static final long KEYS = 2000;
  private static final int SNAPSHOTS = 4;

  @TempDir Path tmp;

  @Test
  void twoReaderProcessesRefreshAndEvictWithoutRemovingWhatTheOtherServes(S3ProxyServer s3)
      throws Exception {
    String prefix = "s3://" + s3.createUniqueBucket("shared-root") + "/snap";
    WriteConfig config = TestSnapshots.s3Config(s3, prefix, tmp.resolve("b"));
    Path localRoot = tmp.resolve("shared-local");
    TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "t0");

    try (ChildJvm a = reader(s3, prefix, localRoot, "reader-a");
        ChildJvm b = reader(s3, prefix, localRoot, "reader-b")) {
      a.expect("OPEN");
      b.expect("OPEN");
      List<ChildJvm> both = List.of(a, b);
      for (int i = 1; i <= SNAPSHOTS; i++) {
        String previous = "t" + (i - 1);
        String tag = "t" + i;
        TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), tag); // every shard changes
        ChildJvm first = both.get(i % 2);
        ChildJvm second = both.get((i + 1) % 2);
        List<Path> secondsDirs = dirs(second);

        assertThat(first.ask("refresh " + tag + " " + KEYS, "REFRESHED"))
            .endsWith("errors=0").startsWith("REFRESHED true");
        // first's eviction ran (refresh waits for it): what second serves is all still there
        assertThat(secondsDirs).allSatisfy(SharedLocalRootTest::assertIntactDir);
        assertThat(first.ask("evict", "EVICTED")).isEqualTo("EVICTED 0");
        assertThat(secondsDirs).allSatisfy(SharedLocalRootTest::assertIntactDir);
        assertThat(second.ask("verify " + previous + " " + KEYS, "VERIFIED"))
            .endsWith("errors=0");

        assertThat(second.ask("refresh " + tag + " " + KEYS, "REFRESHED"))
            .endsWith("errors=0").startsWith("REFRESHED true");
        // second let go last, so its eviction removed the previous snapshot's directories
        assertThat(secondsDirs).allSatisfy(d -> assertThat(d).doesNotExist());
        assertThat(shardDirs(localRoot)).containsExactlyInAnyOrderElementsOf(dirs(first))
            .containsExactlyInAnyOrderElementsOf(dirs(second));
      }

      // Both refresh (and evict) at the same moment; then one more eviction is triggered.
      String tag = "t" + (SNAPSHOTS + 1);
      TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), tag);
      for (ChildJvm r : both) {
        r.send("refresh " + tag + " " + KEYS);
      }
      for (ChildJvm r : both) {
        assertThat(r.expect("REFRESHED")).startsWith("REFRESHED true").endsWith("errors=0");
      }
      b.ask("evict", "EVICTED");
      assertThat(shardDirs(localRoot)).containsExactlyInAnyOrderElementsOf(dirs(a))
          .containsExactlyInAnyOrderElementsOf(dirs(b));
      for (ChildJvm r : both) {
        assertThat(r.ask("verify " + tag + " " + KEYS, "VERIFIED")).endsWith("errors=0");
        r.ask("quit", "BYE");
        assertThat(r.awaitExit()).isZero();
      }
    }
  }

  private ChildJvm reader(S3ProxyServer s3, String prefix, Path localRoot, String name)
      throws IOException {
    return ChildJvm.start(tmp, name, ReaderProcessMain.class, s3.endpoint(), s3.accessKey(),
        s3.secretKey(), s3.region(), prefix, localRoot.toString(), "NONE", "0");
  }

  private static List<Path> dirs(ChildJvm reader) throws Exception {
    String line = reader.ask("dirs", "DIRS ");
    List<Path> out = new ArrayList<>();
    for (String d : line.substring("DIRS ".length()).split(",")) {
      out.add(Path.of(d));
    }
    assertThat(out).hasSize(TestSnapshots.NUM_DBS);
    return out;
  }

  /** A shard directory with its files and no partial download. */
  private static void assertIntactDir(Path dir) {
    assertThat(dir).isDirectory();
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names).as("files of %s", dir).anyMatch(n -> n.endsWith(".sst"))
          .noneMatch(n -> n.endsWith(".part"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Every attempt directory under {@code localRoot/shards}. */
  static List<Path> shardDirs(Path localRoot) {
    return ShardCache.attemptDirs(localRoot);
  }
}
