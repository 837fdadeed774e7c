package io.shardyfusion.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier against a real snapshot on a local-directory store. */
class SnapshotVerifierTest {
  @TempDir static Path tmp;
  static String prefix;
  static BuildResult built;

  static byte[] value(long k) {
    return ("v" + k).getBytes(StandardCharsets.UTF_8);
  }

  @BeforeAll
  static void publish() {
    prefix = tmp.resolve("store").toUri().toString();
    built = SnapshotWriter.writeSharded(LongStream.rangeClosed(1, 20).boxed().toList(),
        WriteConfig.builder().numDbs(3).s3Prefix(prefix).tempDir(tmp.resolve("build")).build(),
        k -> k, SnapshotVerifierTest::value, WriteOptions.defaults());
  }

  SnapshotVerifier.Report check(List<SnapshotVerifier.Expected> expected, long rows,
      String runId) {
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.resolve("reader")).build())) {
      return SnapshotVerifier.verify(reader, expected, rows, runId);
    }
  }

  @Test
  void shardCountsMatchTheManifestsRouterOnlyForTheKeysWritten() {
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.resolve("reader-counts")).build())) {
      List<SnapshotVerifier.RoutedKey> written = LongStream.rangeClosed(1, 20)
          .mapToObj(SnapshotVerifier.RoutedKey::new).toList();
      assertThat(SnapshotVerifier.shardCountProblems(reader.manifest(), written)).isEmpty();

      // One key that was not written: the shard it routes to is one row short.
      List<SnapshotVerifier.RoutedKey> wrong = LongStream.rangeClosed(1, 21)
          .mapToObj(SnapshotVerifier.RoutedKey::new).toList();
      assertThat(SnapshotVerifier.shardCountProblems(reader.manifest(), wrong))
          .singleElement().asString().matches("shard \\d holds (\\d+) rows but routing sends "
              + "it \\d+");
    }
  }

  @Test
  void aSnapshotAsWrittenPasses() {
    SnapshotVerifier.Report r = check(List.of(
        new SnapshotVerifier.Expected("line 1", 1L, value(1)),
        new SnapshotVerifier.Expected("line 20", 20L, value(20)),
        new SnapshotVerifier.Expected(null, 21L, null)), 20, built.runId());
    assertThat(r.problems()).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(r.lookups()).allSatisfy(l -> assertThat(l.matches()).isTrue());
    assertThat(r.info().totalRows()).isEqualTo(20);
  }

  @Test
  void everyKindOfMismatchIsReported() {
    SnapshotVerifier.Report r = check(List.of(
        new SnapshotVerifier.Expected("line 2", 2L, value(3)),
        new SnapshotVerifier.Expected(null, 5L, null)), 19, "other-run");
    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).containsExactly(
        "the reader opened run " + built.runId() + ", not the run just written (other-run); "
            + "did another writer publish there meanwhile?",
        "key 2 (line 2) was written as 'v3' but the reader returned 'v2'",
        "key 5 is not in the input but the reader returned 'v5'",
        "the snapshot holds 20 rows, the input 19");
  }

  @Test
  void absentKeysAvoidTheInput() {
    assertThat(SnapshotVerifier.absentKey(KeyEncoding.U64BE, 20, 1, 20, "r", s -> false))
        .isEqualTo(21L);
    assertThat(SnapshotVerifier.absentKey(KeyEncoding.U32BE, 2, 5, 0xFFFF_FFFFL, "r",
        s -> false)).isEqualTo(4L);
    assertThat(SnapshotVerifier.absentKey(KeyEncoding.UTF8, 2, 0, 0, "r",
        s -> s.equals("no-such-key-r"))).isEqualTo("no-such-key-r-");
  }
}
