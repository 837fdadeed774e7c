package io.shardyfusion.faults;

import static io.shardyfusion.faults.FaultFixture.KEYS;
import static io.shardyfusion.faults.FaultFixture.MAX_ATTEMPTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.shardyfusion.backend.sqlite.SqliteBackend;
import io.shardyfusion.reader.ReaderHealth;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.S3FaultProxy.Rule;
import io.shardyfusion.testing.S3FaultProxy.Times;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.SnapshotWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reader under injected S3 faults, over two snapshots (generation 1, then 2). Open: within
 * the budget it serves snapshot 2 with every key; beyond it fails with a retryable error (a
 * store error that may pass does not trigger the cold-start fallback to an older snapshot,
 * which is for snapshots that cannot be served), and a later open serves snapshot 2. Refresh from 1 to 2: within the
 * budget it swaps and every key reads generation 2; beyond it throws a retryable error, keeps
 * serving snapshot 1 whole (DEGRADED), and the next refresh succeeds. Gets make no S3
 * request; every case reads every key after each open and refresh.
 */
@UsesS3Proxy
class ReaderFaultMatrixTest {
  private static final String PATH = "reader";
  private static final List<RequestKind> REQUESTS = List.of(RequestKind.GET_CURRENT,
      RequestKind.GET_MANIFEST, RequestKind.GET_SHARD);
  /** The faults on answers with a body, each on every reader request. */
  private static final List<FaultKind> FAULTS = List.of(FaultKind.HTTP_500,
      FaultKind.SLOW_DOWN_503, FaultKind.RESET_BEFORE_RESPONSE,
      FaultKind.RESET_DURING_RESPONSE_BODY, FaultKind.TRUNCATED_RESPONSE_BODY);

  private static final List<FaultKind> OPEN_FAULTS = List.of(FaultKind.SLOW_DOWN_503,
      FaultKind.RESET_DURING_RESPONSE_BODY, FaultKind.TRUNCATED_RESPONSE_BODY);

  enum Op { OPEN, REFRESH }

  static FaultFixture fx;
  static String first;
  static String second;

  @BeforeAll
  static void twoSnapshots(S3ProxyServer s3) {
    fx = new FaultFixture(s3, "reader-faults");
    first = write(1);
    second = write(2);
  }

  private static String write(int gen) {
    return SnapshotWriter.writeSharded(KEYS, fx.config(PATH, false, null).runId("r" + gen)
        .shardBackend(SqliteBackend.defaults()).build(), k -> k,
        k -> FaultFixture.value(k, gen)).manifestRef();
  }

  @AfterAll
  static void stop() {
    System.out.println(FaultTally.table());
    fx.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Op op : Op.values()) {
      for (RequestKind r : REQUESTS) {
        for (FaultKind f : FAULTS) {
          // Open and refresh load the same way; open gets the faults that cut answers.
          if (op == Op.REFRESH || OPEN_FAULTS.contains(f)) {
            out.add(Arguments.of(op, r, f));
          }
        }
      }
    }
    out.add(Arguments.of(Op.REFRESH, RequestKind.GET_SHARD, FaultKind.SLOW));
    out.add(Arguments.of(Op.REFRESH, RequestKind.GET_CURRENT, FaultKind.TIMEOUT));
    out.add(Arguments.of(Op.REFRESH, RequestKind.GET_SHARD, FaultKind.TIMEOUT));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1} / {2}")
  @MethodSource("cases")
  void readerUnderFaults(Op op, RequestKind request, FaultKind fault) {
    String suite = "reader " + op.name().toLowerCase(java.util.Locale.ROOT);
    withinBudget(op, suite, request, fault);
    if (fault.canExhaustRetries()) {
      beyondBudget(op, suite, request, fault);
    }
  }

  private void withinBudget(Op op, String suite, RequestKind request, FaultKind fault) {
    Attempt a = attempt(op, request, fault, MAX_ATTEMPTS - 1);
    try (ShardedReader reader = a.reader()) {
      assertThat(a.failure()).as("within the retry budget").isNull();
      long lost = FaultFixture.lostKeys(reader, 2);
      FaultTally.survived(suite, fault, a.rule().injected(), lost);
      assertThat(a.rule().injected()).isGreaterThanOrEqualTo(fault == FaultKind.SLOW ? 1
          : MAX_ATTEMPTS - 1);
      assertThat(lost).as("keys not served with snapshot 2's values").isZero();
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(second);
      assertThat(reader.health(Duration.ofHours(1)).status())
          .isEqualTo(ReaderHealth.Status.HEALTHY);
    }
  }

  private void beyondBudget(Op op, String suite, RequestKind request, FaultKind fault) {
    Attempt a = attempt(op, request, fault, MAX_ATTEMPTS);
    FaultFixture.assertRetryable(a.failure());
    assertThat(a.rule().injected()).isGreaterThanOrEqualTo(MAX_ATTEMPTS);
    if (op == Op.OPEN) {
      // A store error that may pass is not a reason to serve an older snapshot: the
      // cold-start fallback is for snapshots that cannot be served (corrupt, missing).
      assertThat(a.reader()).isNull();
      FaultTally.failedCleanly(suite, fault, a.rule().injected(), 0);
      try (ShardedReader later = ShardedReader.open(fx.reader(PATH, true, fault).build())) {
        assertThat(FaultFixture.lostKeys(later, 2)).as("a later open serves snapshot 2")
            .isZero();
      }
      return;
    }
    try (ShardedReader reader = a.reader()) {
      // Serving snapshot 1, whole, and saying so.
      long lost = FaultFixture.lostKeys(reader, 1);
      FaultTally.failedCleanly(suite, fault, a.rule().injected(), lost);
      assertThat(lost).as("keys of snapshot 1 lost").isZero();
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(first);
      assertThat(reader.health(Duration.ofHours(1)).status())
          .isEqualTo(ReaderHealth.Status.DEGRADED);
      assertThat(reader.refresh()).as("the next refresh succeeds").isTrue();
      assertThat(FaultFixture.lostKeys(reader, 2)).isZero();
      assertThat(reader.health(Duration.ofHours(1)).status())
          .isEqualTo(ReaderHealth.Status.HEALTHY);
    }
  }

  /** The reader the operation left (null when open failed), the rule, the failure if any. */
  private record Attempt(ShardedReader reader, Rule rule, Throwable failure) {}

  /**
   * OPEN: opens on snapshot 2 with the faults armed. REFRESH: opens on snapshot 1 (no
   * faults), moves the pointer to 2, arms the faults and refreshes. Rules are cleared after.
   */
  private Attempt attempt(Op op, RequestKind request, FaultKind fault, int times) {
    fx.setCurrent(PATH, op == Op.OPEN ? second : first);
    ShardedReader[] reader = new ShardedReader[1];
    if (op == Op.REFRESH) {
      reader[0] = ShardedReader.open(fx.reader(PATH, true, fault).build());
      assertThat(FaultFixture.lostKeys(reader[0], 1)).isZero();
      fx.setCurrent(PATH, second);
    }
    Rule rule = arm(request, fault, times);
    try {
      Throwable failure = catchThrowable(() -> {
        if (op == Op.OPEN) {
          reader[0] = ShardedReader.open(fx.reader(PATH, true, fault).build());
        } else {
          assertThat(reader[0].refresh()).as("a new snapshot was swapped in").isTrue();
        }
      });
      return new Attempt(reader[0], rule, failure);
    } finally {
      fx.proxy.clearRules();
    }
  }

  private Rule arm(RequestKind request, FaultKind fault, int times) {
    // Shard faults hit snapshot 2's shard 1 only, so a fallback to snapshot 1 is unaffected.
    return fx.arm(request, fault, fault == FaultKind.SLOW ? Times.always() : Times.first(times),
        "r2", ".*");
  }
}
