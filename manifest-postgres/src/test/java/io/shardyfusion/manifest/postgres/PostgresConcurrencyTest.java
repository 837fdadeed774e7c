package io.shardyfusion.manifest.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.PublishedRef;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.UsesPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several stores (as on several workers) using one database at the same moment. */
@UsesPostgres
class PostgresConcurrencyTest {
  private static final int THREADS = 4;

  private static PostgresServer pg;
  private static String database;

  @BeforeAll
  static void database(PostgresServer server) {
    pg = server;
    database = server.createDatabase("concurrency");
  }

  @Test
  void concurrentFirstUsersOfAFreshTablePrefixBothCreateTheSchema() throws Exception {
    // Each round is a new prefix, i.e. a first use; several rounds make the race likely.
    for (int round = 0; round < 5; round++) {
      PostgresConfig config = PgFixture.config(pg, database)
          .tablePrefix("race" + round + "_").build();
      List<Integer> listed = runTogether(2, i -> {
        try (PostgresManifestStore store = new PostgresManifestStore(config)) {
          return store.listManifests(10).size();
        }
      });
      assertThat(listed).containsExactly(0, 0);
      try (PostgresManifestStore store = new PostgresManifestStore(config)) {
        store.publish(TestManifests.run("after-race", 1));
        assertThat(store.listManifests(10)).hasSize(1);
      }
    }
  }

  @Test
  void concurrentPublishesKeepEveryManifestAndPointAtOneOfThem() throws Exception {
    PostgresConfig config = PgFixture.config(pg, database).build();
    List<PublishedRef> published = runTogether(THREADS, i -> {
      try (PostgresManifestStore store = new PostgresManifestStore(config)) {
        List<PublishedRef> mine = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          mine.add(store.publish(TestManifests.run("w" + i + "-" + j, i * 10 + j)));
        }
        return mine;
      }
    }).stream().flatMap(List::stream).toList();

    try (PostgresManifestStore store = new PostgresManifestStore(config)) {
      List<String> refs = published.stream().map(PublishedRef::manifestRef).toList();
      assertThat(store.listManifests(100)).extracting(ManifestEntry::ref)
          .containsExactlyInAnyOrderElementsOf(refs);
      List<CurrentPointer> history = store.pointerHistory(100);
      assertThat(history).extracting(CurrentPointer::manifestRef)
          .containsExactlyInAnyOrderElementsOf(refs);
      CurrentPointer current = store.loadCurrent().orElseThrow();
      assertThat(current).isEqualTo(history.get(0));
      assertThat(refs).contains(current.manifestRef());
      // Pointer moves are serialized per dataset: history order is commit order, so each
      // writer's own publishes appear in the order it made them.
      for (int i = 0; i < THREADS; i++) {
        String writer = "w" + i + "-";
        assertThat(history.stream().map(CurrentPointer::runId)
            .filter(r -> r.startsWith(writer)).toList())
            .containsExactly(writer + 2, writer + 1, writer + 0);
      }
    }
  }

  @FunctionalInterface
  private interface Task<T> {
    T run(int index) throws Exception;
  }

  /** Runs {@code n} tasks released at the same moment; returns their results in index order. */
  private static <T> List<T> runTogether(int n, Task<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch ready = new CountDownLatch(n);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        Callable<T> c = () -> {
          ready.countDown();
          go.await();
          return task.run(index);
        };
        futures.add(pool.submit(c));
      }
      assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
