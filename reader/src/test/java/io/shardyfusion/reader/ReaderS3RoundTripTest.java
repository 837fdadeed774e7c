package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static io.shardyfusion.reader.TestSnapshots.str;
import static io.shardyfusion.reader.TestSnapshots.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writer → S3 (a real S3Proxy process) → reader, including refresh and access failures. */
@UsesS3Proxy
class ReaderS3RoundTripTest {
  private static final int ROWS = 10_000;
  private static final int BATCH = 512;

  @TempDir Path tmp;

  @ParameterizedTest(name = "parallel writer = {0}")
  @ValueSource(booleans = {false, true})
  void readsBackEveryRecordAndRefreshesToTheNextSnapshot(boolean parallel, S3ProxyServer s3) {
    String bucket = s3.createUniqueBucket("reader-rt");
    WriteConfig config = TestSnapshots.s3Config(s3, "s3://" + bucket + "/snapshots/users",
        tmp.resolve("build"));
    WriteOptions options = WriteOptions.defaults().withParallel(parallel);

    List<Long> run1Keys = keys(0, ROWS);
    BuildResult run1 = TestSnapshots.write(config, run1Keys, "run1", options);
    assertThat(run1.winners()).hasSize(4);

    try (ShardedReader reader = ShardedReader.open(
        TestSnapshots.readerFor(config, tmp.resolve("reader")).build())) {
      assertServes(reader, run1Keys, "run1");
      assertThat(reader.get((long) ROWS)).isNull();
      assertThat(reader.get(123_456_789L)).isNull();
      assertThat(reader.get(Long.MAX_VALUE)).isNull();

      SnapshotInfo info = reader.snapshotInfo();
      assertThat(info.runId()).isEqualTo(run1.runId());
      assertThat(info.numDbs()).isEqualTo(4);
      assertThat(info.shardCount()).isEqualTo(4);
      assertThat(info.totalRows()).isEqualTo(ROWS);
      assertThat(info.manifestRef()).isEqualTo(run1.manifestRef())
          .startsWith(config.s3Prefix() + "/manifests/");

      assertThat(reader.refresh()).as("refresh with nothing new published").isFalse();
      assertThat(reader.snapshotInfo().runId()).isEqualTo(run1.runId());

      // Second snapshot: keys 0..999 removed, 10000..10999 added, every value changed.
      List<Long> run2Keys = keys(1_000, ROWS + 1_000);
      BuildResult run2 = TestSnapshots.write(config, run2Keys, "run2", options);
      assertThat(run2.runId()).isNotEqualTo(run1.runId());
      assertThat(run2.manifestRef()).isNotEqualTo(run1.manifestRef());

      assertThat(reader.refresh()).as("refresh after a new snapshot was published").isTrue();
      assertServes(reader, run2Keys, "run2");
      for (long k = 0; k < 1_000; k++) {
        assertThat(reader.get(k)).as("removed key %s", k).isNull();
      }
      Map<Object, byte[]> removed = reader.multiGet(keys(0, 1_000));
      assertThat(removed).hasSize(1_000);
      assertThat(removed.values()).allMatch(v -> v == null);

      SnapshotInfo info2 = reader.snapshotInfo();
      assertThat(info2.runId()).isEqualTo(run2.runId());
      assertThat(info2.manifestRef()).isEqualTo(run2.manifestRef());
      assertThat(info2.totalRows()).isEqualTo(ROWS);
      assertThat(reader.refresh()).isFalse();
    }
  }

  @Test
  void wrongCredentialsFailToOpenWithANonRetryableCredentialsError(S3ProxyServer s3) {
    String bucket = s3.createUniqueBucket("reader-auth");
    WriteConfig config = TestSnapshots.s3Config(s3, "s3://" + bucket + "/snap",
        tmp.resolve("build"));
    TestSnapshots.write(config, keys(0, 100), "run1");
    // The snapshot is there: with the right credentials it opens.
    try (ShardedReader ok = ShardedReader.open(
        TestSnapshots.readerFor(config, tmp.resolve("ok")).build())) {
      assertThat(str(ok.get(7L))).isEqualTo(value("run1", 7));
    }

    List<StaticCredentialProvider> wrong = List.of(
        new StaticCredentialProvider("no-such-access-key", s3.secretKey()),
        new StaticCredentialProvider(s3.accessKey(), "not-the-secret-key"));
    for (StaticCredentialProvider creds : wrong) {
      ReaderConfig readerConfig = TestSnapshots.readerFor(config, tmp.resolve("bad"))
          .credentialProvider(creds).build();
      assertThatThrownBy(() -> ShardedReader.open(readerConfig))
          .as("opening with %s", creds)
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).as("retryable").isFalse())
          .hasMessageContaining("credentials")
          .hasMessageContaining("403")
          .hasMessageContaining(bucket);
    }
  }

  @Test
  void anEmptyPrefixFailsWithANonRetryableNothingPublishedError(S3ProxyServer s3) {
    String bucket = s3.createUniqueBucket("reader-empty");
    WriteConfig config = TestSnapshots.s3Config(s3, "s3://" + bucket + "/nothing/here",
        tmp.resolve("build"));
    ReaderConfig readerConfig = TestSnapshots.readerFor(config, tmp.resolve("reader")).build();
    assertThatThrownBy(() -> ShardedReader.open(readerConfig))
        .isInstanceOfSatisfying(StorageException.class,
            e -> assertThat(e.retryable()).as("retryable").isFalse())
        .hasMessageContaining("no snapshot is published")
        .hasMessageContaining("s3://" + bucket + "/nothing/here/_CURRENT");
  }

  /** Every key, one get at a time and again in multiGet batches, has {@code tag:key}. */
  static void assertServes(ShardedReader reader, List<Long> keys, String tag) {
    for (long k : keys) {
      byte[] v = reader.get(k);
      if (v == null || !str(v).equals(value(tag, k))) {
        assertThat(str(v)).as("get(%s)", k).isEqualTo(value(tag, k));
      }
    }
    Set<Object> seen = new HashSet<>();
    for (int from = 0; from < keys.size(); from += BATCH) {
      List<Long> batch = new ArrayList<>(keys.subList(from, Math.min(keys.size(), from + BATCH)));
      Map<Object, byte[]> got = reader.multiGet(batch);
      assertThat(got.keySet()).containsExactlyElementsOf(batch);
      for (Map.Entry<Object, byte[]> e : got.entrySet()) {
        if (e.getValue() == null || !str(e.getValue()).equals(value(tag, (Long) e.getKey()))) {
          assertThat(str(e.getValue())).as("multiGet value of %s", e.getKey())
              .isEqualTo(value(tag, (Long) e.getKey()));
        }
      }
      seen.addAll(got.keySet());
    }
    assertThat(seen).hasSize(keys.size());
  }
}
