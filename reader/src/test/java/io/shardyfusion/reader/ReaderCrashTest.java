package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader process SIGKILLed in the middle of downloading the next snapshot, then restarted on
 * the same {@code localRoot}: the half-written download is never used (and is removed), a
 * damaged file under its final name is downloaded again, the restarted reader serves every key
 * of the current snapshot, and the killed process's leftovers are evicted.
 */
@UsesS3Proxy
class ReaderCrashTest {
  private static final long KEYS = 2000;
  /** 4 shards of 5 files are downloaded on open; the 3rd download of the refresh is cut. */
  private static final int PAUSE_AT = TestSnapshots.NUM_DBS * 5 + 3;

  @TempDir Path tmp;

  @Test
  void aReaderKilledMidDownloadRestartsOnTheSameLocalRootAndServesTheCurrentSnapshot(
      S3ProxyServer s3) throws Exception {
    String prefix = "s3://" + s3.createUniqueBucket("reader-crash") + "/snap";
    WriteConfig config = TestSnapshots.s3Config(s3, prefix, tmp.resolve("b"));
    Path localRoot = tmp.resolve("local");
    BuildResult first = TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "t0");

    Path partial;
    try (ChildJvm reader = ChildJvm.start(tmp, "reader", ReaderProcessMain.class,
        s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.region(), prefix,
        localRoot.toString(), "DOWNLOAD", String.valueOf(PAUSE_AT))) {
      reader.expect("OPEN " + first.runId());
      TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "t1");
      String line = reader.ask("refresh t1 " + KEYS, "PHASE DOWNLOAD ");
      partial = Path.of(line.substring("PHASE DOWNLOAD ".length()));
      reader.kill();
    }
    assertThat(partial).as("the killed download's temporary file").exists();
    assertThat(partial.getFileName().toString()).startsWith(".").endsWith(".part");

    // A file of the new snapshot that is complete under its final name gets damaged too
    // (a torn write on a file system without atomic rename, a bit flip): never trusted by name.
    Path damaged = completedFiles(partial.getParent()).get(0);
    long size = Files.size(damaged);
    try (FileChannel ch = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
      ch.truncate(size - 1);
    }

    try (ShardedReader restarted = ShardedReader.open(TestSnapshots.readerFor(config, localRoot)
        .build())) {
      assertThat(restarted.snapshotInfo().runId()).isNotEqualTo(first.runId());
      for (long k = 0; k < KEYS; k++) {
        assertThat(TestSnapshots.str(restarted.get(k))).as("key %d", k)
            .isEqualTo(TestSnapshots.value("t1", k));
      }
      assertThat(partial).as("the stale partial download was removed").doesNotExist();
      assertThat(damaged).as("the damaged file was downloaded again").hasSize(size);
      for (ShardMeta s : restarted.manifest().shards()) {
        Path dir = restarted.shardDetails().get(s.dbId()).localPath();
        for (ShardFile f : s.files()) {
          assertThat(dir.resolve(f.name())).hasSize(f.size());
        }
      }
      // The killed process served t0; nobody does now, so its directories go.
      assertThat(restarted.evictUnusedLocalFiles()).isEqualTo(TestSnapshots.NUM_DBS);
      assertThat(SharedLocalRootTest.shardDirs(localRoot)).hasSize(TestSnapshots.NUM_DBS)
          .noneMatch(d -> d.toString().contains(first.runId()));
    }
  }

  /** Files renamed into place in {@code dir} (not temporary ones). */
  private static List<Path> completedFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> done = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
      assertThat(done).as("files already in place in " + dir).isNotEmpty();
      return done;
    }
  }
}
