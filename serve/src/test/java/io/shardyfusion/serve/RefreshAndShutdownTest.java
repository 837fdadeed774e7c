package io.shardyfusion.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.testing.IntegrationTest;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server while snapshots change and while it stops: reads during refreshes (never an error,
 * never a mixed multiget), the refresh endpoint's bearer token, readiness while a snapshot is
 * still loading, and a graceful stop that lets an in-flight request finish.
 */
@IntegrationTest
class RefreshAndShutdownTest {
  @TempDir Path tmp;

  static final int KEYS = 200;
  static final int READERS = 4;
  static final int RUNS = 5;

  static List<Long> keys() {
    return LongStream.range(0, KEYS).boxed().toList();
  }

  /** The run index (1..) of a value "rN:key". */
  static int runOf(String value) {
    return Integer.parseInt(value.substring(1, value.indexOf(':')));
  }

  @Test
  void readsDuringRefreshesComeFromOneSnapshotAndNeverFail() throws Exception {
    Published live = Published.local(tmp, "live", KeyEncoding.U64BE);
    live.publish("r1", keys());
    try (SnapshotServer server = SnapshotServer.builder().port(0)
        .snapshot("live", live.currentUrl(), live.opener("live")).build().start()) {
      assertThat(server.awaitReady(Duration.ofMinutes(1))).isTrue();
      Http http = new Http(server.baseUrl());
      // servedFrom: every answer must come from this run or a later one; published: or an
      // earlier one than this.
      AtomicInteger servedFrom = new AtomicInteger(1);
      AtomicInteger published = new AtomicInteger(1);
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<CountDownLatch> round = new AtomicReference<>(new CountDownLatch(READERS));
      ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
      Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
      AtomicInteger answers = new AtomicInteger();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < READERS; t++) {
        int id = t;
        Thread reader = new Thread(() -> {
          java.util.Random random = new java.util.Random(id);
          CountDownLatch counted = null;
          while (!done.get()) {
            CountDownLatch now = round.get();
            int low = servedFrom.get();
            try {
              long key = random.nextInt(KEYS);
              Http.Answer one = http.get("/v1/live/keys/" + key);
              int high = published.get();
              if (one.status() != 200) {
                errors.add("get " + key + ": " + one);
                continue;
              }
              int run = runOf(one.text());
              if (run < low || run > high || !one.text().equals("r" + run + ":" + key)) {
                errors.add("get " + key + " answered " + one.text() + " outside r" + low + "..r"
                    + high);
              }
              String body = random.ints(30, 0, KEYS).mapToObj(Integer::toString)
                  .collect(Collectors.joining(",", "[", "]"));
              Http.Answer many = http.post("/v1/live/multiget", body);
              high = published.get();
              if (many.status() != 200) {
                errors.add("multiget: " + many);
                continue;
              }
              Set<Integer> runs = new HashSet<>();
              for (JsonNode r : many.json().get("results")) {
                String v = new String(Base64.getDecoder().decode(r.get("value").asText()),
                    StandardCharsets.UTF_8);
                runs.add(runOf(v));
                if (!v.endsWith(":" + r.get("key").asLong())) {
                  errors.add("multiget value " + v + " for key " + r.get("key"));
                }
              }
              if (runs.size() != 1) {
                errors.add("one multiget mixed runs " + runs);
              }
              int run2 = runs.iterator().next();
              if (run2 < low || run2 > high) {
                errors.add("multiget from r" + run2 + " outside r" + low + "..r" + high);
              }
              seen.add(run);
              seen.add(run2);
              answers.addAndGet(2);
            } catch (UncheckedIOException e) {
              errors.add("I/O: " + e.getMessage());
            }
            if (now != counted) { // one count per round: the writer waits for every reader
              now.countDown();
              counted = now;
            }
          }
        }, "reader-" + t);
        reader.start();
        readers.add(reader);
      }
      for (int run = 2; run <= RUNS; run++) {
        assertThat(round.get().await(2, TimeUnit.MINUTES)).as("every reader read").isTrue();
        round.set(new CountDownLatch(READERS));
        live.publish("r" + run, keys());
        published.set(run);
        JsonNode refreshed = http.post("/v1/live/refresh", "").json();
        assertThat(refreshed.get("changed").asBoolean()).as(refreshed.toString()).isTrue();
        assertThat(refreshed.get("run_id").asText()).isEqualTo("r" + run);
        servedFrom.set(run);
      }
      assertThat(round.get().await(2, TimeUnit.MINUTES)).isTrue();
      done.set(true);
      for (Thread r : readers) {
        r.join();
      }
      assertThat(errors).isEmpty();
      assertThat(seen).as("reads straddled the refreshes").contains(1, RUNS);
      assertThat(answers.get()).isGreaterThan(READERS * RUNS);
      // An unchanged refresh says so; the counters show both outcomes.
      assertThat(http.post("/v1/live/refresh", "").json().get("changed").asBoolean())
          .isFalse();
      String metrics = http.get("/metrics").text();
      assertThat(metrics).contains("shardy_serve_refreshes_total{outcome=\"swapped\","
          + "snapshot=\"live\"} " + (RUNS - 1));
      assertThat(metrics).contains("shardy_serve_refreshes_total{outcome=\"unchanged\","
          + "snapshot=\"live\"} 1");
    }
  }

  @Test
  void refreshNeedsTheBearerTokenWhenOneIsSet() {
    Published p = Published.local(tmp, "auth", KeyEncoding.U64BE);
    p.publish("r1", keys());
    try (SnapshotServer server = SnapshotServer.builder().port(0).refreshToken("s3cret-token")
        .snapshot("auth", p.currentUrl(), p.opener("auth")).build().start()) {
      assertThat(server.awaitReady(Duration.ofMinutes(1))).isTrue();
      Http http = new Http(server.baseUrl());
      Http.Answer none = http.post("/v1/auth/refresh", "");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.raw().headers().firstValue("www-authenticate")).hasValueSatisfying(
          v -> assertThat(v).startsWith("Bearer"));
      assertThat(none.text()).doesNotContain("s3cret");
      assertThat(http.post("/v1/auth/refresh", "", "Authorization", "Bearer s3cret-tokeN")
          .status()).isEqualTo(401);
      assertThat(http.post("/v1/auth/refresh", "", "Authorization", "Basic s3cret-token")
          .status()).isEqualTo(401);
      assertThat(http.post("/v1/other/refresh", "").status())
          .as("no token: nothing is told about snapshots").isEqualTo(401);
      p.publish("r2", keys());
      Http.Answer ok = http.post("/v1/auth/refresh", "", "Authorization", "Bearer s3cret-token");
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      assertThat(ok.json().get("run_id").asText()).isEqualTo("r2");
      assertThat(http.get("/v1/auth/keys/1").text()).as("reads need no token")
          .isEqualTo("r2:1");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aSnapshotStillLoadingIsNotReady() throws Exception {
    Published p = Published.local(tmp, "slow", KeyEncoding.U64BE);
    p.publish("r1", keys());
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    Supplier<ShardedReader> real = p.opener("slow");
    Supplier<ShardedReader> opener = () -> {
      if (attempts.incrementAndGet() == 1) {
        throw new io.shardyfusion.errors.StorageException("store unreachable (test)", true);
      }
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return real.get();
    };
    try (SnapshotServer server = SnapshotServer.builder().port(0)
        .openRetryDelay(Duration.ofMillis(20))
        .snapshot("slow", p.currentUrl(), opener).build().start()) {
      Http http = new Http(server.baseUrl());
      assertThat(http.get("/health/live").status()).isEqualTo(200);
      Http.Answer ready = http.get("/health/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("status").asText()).isEqualTo("loading");
      Http.Answer get = http.get("/v1/slow/keys/1");
      assertThat(get.status()).isEqualTo(503);
      assertThat(get.json().get("error").asText()).isEqualTo("loading");
      assertThat(get.raw().headers().firstValue("retry-after")).hasValue("1");
      release.countDown();
      assertThat(server.awaitReady(Duration.ofMinutes(1))).isTrue();
      assertThat(attempts.get()).as("retried after the failure").isEqualTo(2);
      assertThat(http.get("/health/ready").status()).isEqualTo(200);
      assertThat(http.get("/v1/slow/keys/1").text()).isEqualTo("r1:1");
    }
  }

  @Test
  void aClientThatNeverFinishesItsHeadersIsCutOff() throws Exception {
    Published p = Published.local(tmp, "slowloris", KeyEncoding.U64BE);
    p.publish("r1", keys());
    try (SnapshotServer server = SnapshotServer.builder().port(0)
        .requestTimeout(Duration.ofMillis(500))
        .snapshot("s", p.currentUrl(), p.opener("s")).build().start();
        java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000); // the test's bound; the server's is 0.5 s
      socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // The server closes the connection without an answer: end of stream, not a timeout.
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void closeDrainsTheRequestInFlight() throws Exception {
    Published p = Published.local(tmp, "drain", KeyEncoding.U64BE);
    p.publish("r1", keys());
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch draining = new CountDownLatch(1);
    AtomicBoolean holdNext = new AtomicBoolean(true);
    SnapshotServer server = SnapshotServer.builder().port(0)
        .snapshot("drain", p.currentUrl(), p.opener("drain"))
        .beforeLookup(name -> {
          if (holdNext.getAndSet(false)) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        })
        .onDrainStarted(draining::countDown)
        .build().start();
    assertThat(server.awaitReady(Duration.ofMinutes(1))).isTrue();
    Http http = new Http(server.baseUrl());
    CompletableFuture<Http.Answer> inFlight = CompletableFuture.supplyAsync(
        () -> http.get("/v1/drain/keys/7"));
    assertThat(entered.await(1, TimeUnit.MINUTES)).isTrue();
    Thread closer = new Thread(server::close, "closer");
    closer.start();
    assertThat(draining.await(1, TimeUnit.MINUTES)).isTrue();
    // New requests are refused while the one in flight still runs.
    Http.Answer refused = new Http(server.baseUrl()).get("/v1/drain/keys/8");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(closer.isAlive()).as("close waits for the request in flight").isTrue();
    release.countDown();
    Http.Answer answer = inFlight.get(1, TimeUnit.MINUTES);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.text()).isEqualTo("r1:7");
    closer.join();
    assertThatThrownBy(() -> new Http(server.baseUrl()).get("/health/live"))
        .isInstanceOf(UncheckedIOException.class);
  }
}
