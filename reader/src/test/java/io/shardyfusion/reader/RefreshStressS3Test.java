package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten threads read while snapshots are published to a real S3 API server and refreshed in,
 * again and again: no read fails, and every multiGet answers from exactly one snapshot.
 */
@UsesS3Proxy
class RefreshStressS3Test {
  private static final int READERS = 10;
  private static final int SNAPSHOTS = 6;
  private static final long KEYS = 2000;

  @TempDir Path tmp;

  @Test
  void tenReadersSeeNoErrorsAndNoMixedSnapshotsAcrossRefreshes(S3ProxyServer s3)
      throws Exception {
    String prefix = "s3://" + s3.createUniqueBucket("stress") + "/snap";
    WriteConfig config = TestSnapshots.s3Config(s3, prefix, tmp.resolve("b"));
    List<String> tags = new ArrayList<>();
    tags.add("run0");
    TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), "run0");

    AtomicInteger reads = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Set<String> seenTags = ConcurrentHashMap.newKeySet();
    Set<String> published = ConcurrentHashMap.newKeySet();
    published.add("run0");
    CountDownLatch stop = new CountDownLatch(1);
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.resolve("local")).credentialProvider(TestSnapshots.credentials(s3))
        .s3ConnectionOptions(TestSnapshots.s3Options(s3)).build())) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < READERS; t++) {
        long seed = t;
        threads.add(new Thread(() -> {
          SplittableRandom rnd = new SplittableRandom(seed);
          try {
            while (stop.getCount() > 0) {
              long a = rnd.nextLong(KEYS);
              long b = rnd.nextLong(KEYS);
              String one = TestSnapshots.str(reader.get(a));
              assertThat(one).isNotNull();
              String tag = one.substring(0, one.indexOf(':'));
              assertThat(published).contains(tag);
              assertThat(one).isEqualTo(TestSnapshots.value(tag, a));
              Map<Object, byte[]> both = reader.multiGet(List.of(a, b));
              String va = TestSnapshots.str(both.get(a));
              String vb = TestSnapshots.str(both.get(b));
              String batchTag = va.substring(0, va.indexOf(':'));
              assertThat(vb).as("one multiGet reads one snapshot")
                  .isEqualTo(TestSnapshots.value(batchTag, b));
              seenTags.add(batchTag);
              reads.incrementAndGet();
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }, "stress-reader-" + t));
      }
      threads.forEach(Thread::start);
      for (int i = 1; i <= SNAPSHOTS; i++) {
        String tag = "run" + i;
        published.add(tag); // before publishing: a reader may see it as soon as it lands
        TestSnapshots.write(config, TestSnapshots.keys(0, KEYS), tag);
        assertThat(reader.refresh()).isTrue();
        assertThat(TestSnapshots.str(reader.get(5L))).isEqualTo(TestSnapshots.value(tag, 5));
      }
      stop.countDown();
      for (Thread t : threads) {
        t.join(TimeUnit.MINUTES.toMillis(2));
        assertThat(t.isAlive()).isFalse();
      }
    }
    assertThat(failure.get()).as("no reader thread failed").isNull();
    assertThat(reads.get()).isGreaterThan(READERS);
    assertThat(seenTags).as("readers saw more than one snapshot").hasSizeGreaterThan(1);
  }
}
