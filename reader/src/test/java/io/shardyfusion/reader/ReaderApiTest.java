package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ReaderStateException;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader's API beyond get/multiGet: routing, shard details, health, fallback, refresh. */
class ReaderApiTest {
  @TempDir Path tmp;

  private String prefix() {
    return tmp.resolve("store").toUri().toString();
  }

  private BuildResult write(String tag, List<Long> keys, int numDbs) {
    return SnapshotWriter.writeSharded(keys, WriteConfig.builder().numDbs(numDbs)
        .s3Prefix(prefix()).tempDir(tmp.resolve("b")).build(), k -> k,
        k -> (tag + ":" + k).getBytes(StandardCharsets.UTF_8));
  }

  private ReaderConfig.Builder reader() {
    return ReaderConfig.builder().s3Prefix(prefix()).localRoot(tmp.resolve("local"));
  }

  @Test
  void routingAndShardDetailsDescribeEveryShardIdIncludingEmptyOnes() {
    write("a", List.of(1L, 2L, 3L), 16);
    try (ShardedReader r = ShardedReader.open(reader().build())) {
      var router = ShardRouters.create(ShardingSpec.hash(), 16, KeyEncoding.U64BE);
      assertThat(r.routeKey(3L)).isEqualTo(router.route(3L));
      ShardDetail d = r.shardForKey(3L);
      assertThat(d.dbId()).isEqualTo(router.route(3L));
      assertThat(d.rowCount()).isPositive();
      assertThat(d.localPath()).isDirectory();
      List<ShardDetail> all = r.shardDetails();
      assertThat(all).extracting(ShardDetail::dbId).containsExactlyElementsOf(
          LongStream.range(0, 16).mapToObj(i -> (int) i).toList());
      assertThat(all.stream().mapToLong(ShardDetail::rowCount).sum()).isEqualTo(3);
      assertThat(all).filteredOn(x -> x.rowCount() == 0).allSatisfy(x -> {
        assertThat(x.dbUrl()).isNull();
        assertThat(x.localPath()).isNull();
      }).hasSizeGreaterThanOrEqualTo(13);
    }
  }

  @Test
  void healthTracksStalenessFailedRefreshesAndClose() throws Exception {
    write("a", List.of(1L), 2);
    ShardedReader r = ShardedReader.open(reader().build());
    assertThat(r.health(Duration.ofDays(1)).status()).isEqualTo(ReaderHealth.Status.HEALTHY);
    ReaderHealth stale = r.health(Duration.ZERO);
    assertThat(stale.status()).isEqualTo(ReaderHealth.Status.DEGRADED);
    assertThat(stale.reasons()).singleElement().asString().contains("old");

    BuildResult second = write("b", List.of(1L), 2);
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    byte[] good = store.get(store.keyOf(second.manifestRef()));
    store.put(store.keyOf(second.manifestRef()), "{broken".getBytes(), "application/json");
    assertThatThrownBy(r::refresh).isInstanceOf(ManifestParseException.class);
    ReaderHealth failed = r.health(Duration.ofDays(1));
    assertThat(failed.status()).isEqualTo(ReaderHealth.Status.DEGRADED);
    assertThat(failed.lastRefreshError()).contains("not valid JSON");

    store.put(store.keyOf(second.manifestRef()), good, "application/json");
    assertThat(r.refresh()).isTrue();
    assertThat(r.health(Duration.ofDays(1)).status()).isEqualTo(ReaderHealth.Status.HEALTHY);
    r.close();
    assertThat(r.health(Duration.ofDays(1)).status()).isEqualTo(ReaderHealth.Status.UNHEALTHY);
  }

  @Test
  void coldStartFallsBackToTheNewestEarlierSnapshotThatCanBeServed() {
    write("a", List.of(1L, 2L), 2);
    BuildResult b = write("b", List.of(1L, 2L), 2);
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    store.put(store.keyOf(b.manifestRef()), "not json".getBytes(), "application/json");

    try (ShardedReader r = ShardedReader.open(reader().build())) {
      assertThat(r.get(1L)).asString(StandardCharsets.UTF_8).isEqualTo("a:1");
      ReaderHealth h = r.health(Duration.ofDays(1));
      assertThat(h.status()).isEqualTo(ReaderHealth.Status.DEGRADED);
      assertThat(h.lastRefreshError()).contains(b.manifestRef());
    }
    assertThatThrownBy(() -> ShardedReader.open(reader().maxFallbackAttempts(0).build()))
        .isInstanceOf(ManifestParseException.class);
  }

  @Test
  void backgroundRefreshPicksUpANewSnapshotAndTellsListeners() throws Exception {
    write("a", List.of(1L, 2L), 2);
    try (ShardedReader r = ShardedReader.open(reader()
        .refreshInterval(Duration.ofMillis(20)).build())) {
      CountDownLatch refreshed = new CountDownLatch(1);
      AtomicReference<SnapshotInfo[]> seen = new AtomicReference<>();
      r.addRefreshListener(new RefreshListener() {
        @Override
        public void onRefreshed(SnapshotInfo previous, SnapshotInfo current) {
          seen.set(new SnapshotInfo[] {previous, current});
          refreshed.countDown();
        }
      });
      BuildResult b = write("b", List.of(1L, 2L), 2);
      assertThat(refreshed.await(60, TimeUnit.SECONDS)).as("background refresh ran").isTrue();
      assertThat(seen.get()[1].runId()).isEqualTo(b.runId());
      assertThat(seen.get()[0].runId()).isNotEqualTo(b.runId());
      assertThat(r.get(2L)).asString(StandardCharsets.UTF_8).isEqualTo("b:2");
    }
  }

  @Test
  void asyncCallsRunOnTheCallersExecutorAndFailLikeTheirSyncTwins() throws Exception {
    write("a", List.of(5L, 6L), 2);
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "caller-pool"));
    try {
      ShardedReader r = ShardedReader.open(reader().build());
      AtomicReference<String> thread = new AtomicReference<>();
      byte[] v = r.getAsync(5L, command -> pool.execute(() -> {
        thread.set(Thread.currentThread().getName());
        command.run();
      })).get(30, TimeUnit.SECONDS);
      assertThat(v).asString(StandardCharsets.UTF_8).isEqualTo("a:5");
      assertThat(thread.get()).isEqualTo("caller-pool");
      assertThat(r.multiGetAsync(List.of(5L, 6L, 7L), pool).get(30, TimeUnit.SECONDS))
          .containsKeys(5L, 6L, 7L);
      assertThat(r.refreshAsync(pool).get(30, TimeUnit.SECONDS)).isFalse();
      r.close();
      assertThatThrownBy(() -> r.getAsync(5L, pool).join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(ReaderStateException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void multiColumnCelRoutesLookupsWithTheirContext() {
    ShardingSpec spec = ShardingSpec.celColumns("region == \"eu\" ? 0 : 1",
        Map.of("region", "string"));
    List<Long> keys = List.of(1L, 2L, 3L, 4L);
    SnapshotWriter.writeSharded(keys, WriteConfig.builder().sharding(spec).numDbs(2)
        .s3Prefix(prefix()).tempDir(tmp.resolve("b")).build(), k -> k,
        k -> ("v" + k).getBytes(StandardCharsets.UTF_8),
        k -> Map.of("region", k % 2 == 0 ? "eu" : "us"), WriteOptions.defaults());
    try (ShardedReader r = ShardedReader.open(reader().build())) {
      assertThat(r.get(2L, Map.of("region", "eu"))).asString(StandardCharsets.UTF_8)
          .isEqualTo("v2");
      assertThat(r.get(2L, Map.of("region", "us"))).as("routed to the other shard").isNull();
      assertThat(r.multiGet(List.of(1L, 3L), Map.of("region", "us")).values())
          .allSatisfy(v -> assertThat(v).isNotNull());
      assertThat(r.routeKey(4L, Map.of("region", "eu"))).isZero();
    }
  }
}
