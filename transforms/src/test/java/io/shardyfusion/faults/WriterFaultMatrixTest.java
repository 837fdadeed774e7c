package io.shardyfusion.faults;

import static io.shardyfusion.faults.FaultFixture.KEYS;
import static io.shardyfusion.faults.FaultFixture.MAX_ATTEMPTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.shardyfusion.backend.sqlite.SqliteBackend;
import io.shardyfusion.testing.DirectPipelines;
import io.shardyfusion.testing.S3FaultProxy.Rule;
import io.shardyfusion.testing.S3FaultProxy.Times;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.transforms.ShardedWrite;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.ShardRetry;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Writers under injected S3 faults, each case in two steps on one prefix per writer: (1)
 * faults on the first {@code MAX_ATTEMPTS - 1} matching requests: the write succeeds and every
 * key reads back with its new value; (2) faults on the first {@code MAX_ATTEMPTS}: the write
 * fails with a retryable error, {@code _CURRENT} still names step 1's snapshot, which still
 * reads back, and the failed run left no shard objects (in-process writers; Beam leaves them
 * to the runner's retry and to cleanup). The next case's first write, or a clean one at the
 * end, is the later run that must succeed. Outcomes that differ by design are asserted as
 * such: a manifest GET that fails only turns shard reuse off (the write succeeds); loser
 * cleanup (DELETE) is best effort (the write publishes, the loser stays unless the server
 * did delete it); and when the server stored {@code _CURRENT} but every answer was lost, the
 * pointer names the new snapshot, which is whole (the writer saw that and kept its files).
 */
@UsesS3Proxy
class WriterFaultMatrixTest {
  private static final Set<RequestKind> WRITER_REQUESTS = EnumSet.of(RequestKind.PUT_SHARD,
      RequestKind.PUT_MANIFEST, RequestKind.PUT_CURRENT, RequestKind.PUT_RUN_RECORD,
      RequestKind.GET_CURRENT, RequestKind.GET_MANIFEST, RequestKind.LIST, RequestKind.DELETE);
  private static final Set<RequestKind> TIMEOUT_REQUESTS = EnumSet.of(RequestKind.PUT_SHARD,
      RequestKind.PUT_CURRENT, RequestKind.GET_CURRENT);
  private static final Set<RequestKind> SLOW_REQUESTS = EnumSet.of(RequestKind.PUT_SHARD,
      RequestKind.GET_CURRENT, RequestKind.LIST);
  /** The LIST the writers make before publishing: are all the winners' files there? */
  private static final String PUBLISH_LIST = ".*shards/run_id=[^/]+/";

  enum Writer { SINGLE, PARALLEL, BEAM }

  static FaultFixture fx;
  private static int generation;
  private static final java.util.Map<Writer, Integer> CURRENT_GEN =
      new java.util.EnumMap<>(Writer.class);

  @BeforeAll
  static void start(S3ProxyServer s3) {
    fx = new FaultFixture(s3, "writer-faults");
  }

  @AfterAll
  static void stop() {
    try {
      // The later run after each writer's last case.
      fx.proxy.clearRules();
      for (Writer w : CURRENT_GEN.keySet()) {
        cleanWrite(w, w.name().toLowerCase(java.util.Locale.ROOT));
      }
      System.out.println(FaultTally.table());
    } finally {
      fx.close();
    }
  }

  static Stream<Arguments> singleCases() {
    List<Arguments> out = new ArrayList<>();
    for (RequestKind r : WRITER_REQUESTS) {
      for (FaultKind f : FaultKind.values()) {
        if (f.appliesTo(r) && (f != FaultKind.TIMEOUT || TIMEOUT_REQUESTS.contains(r))
            && (f != FaultKind.SLOW || SLOW_REQUESTS.contains(r))) {
          out.add(Arguments.of(r, f));
        }
      }
    }
    return out.stream();
  }

  static Stream<Arguments> parallelCases() {
    return Stream.of(
        Arguments.of(RequestKind.PUT_SHARD, FaultKind.SLOW_DOWN_503),
        Arguments.of(RequestKind.PUT_SHARD, FaultKind.RESET_DURING_REQUEST_BODY),
        Arguments.of(RequestKind.PUT_SHARD, FaultKind.RESET_BEFORE_RESPONSE),
        Arguments.of(RequestKind.PUT_MANIFEST, FaultKind.HTTP_500),
        Arguments.of(RequestKind.LIST, FaultKind.TRUNCATED_RESPONSE_BODY),
        Arguments.of(RequestKind.GET_CURRENT, FaultKind.RESET_DURING_RESPONSE_BODY));
  }

  static Stream<Arguments> beamCases() {
    return Stream.of(
        Arguments.of(RequestKind.PUT_SHARD, FaultKind.SLOW_DOWN_503),
        Arguments.of(RequestKind.LIST, FaultKind.TRUNCATED_RESPONSE_BODY));
  }

  @ParameterizedTest(name = "single: {0} / {1}")
  @MethodSource("singleCases")
  void inProcessSingle(RequestKind request, FaultKind fault) {
    runCase(Writer.SINGLE, request, fault);
  }

  @ParameterizedTest(name = "parallel: {0} / {1}")
  @MethodSource("parallelCases")
  void inProcessParallel(RequestKind request, FaultKind fault) {
    runCase(Writer.PARALLEL, request, fault);
  }

  @ParameterizedTest(name = "beam direct: {0} / {1}")
  @MethodSource("beamCases")
  void beamDirect(RequestKind request, FaultKind fault) {
    runCase(Writer.BEAM, request, fault);
  }

  private void runCase(Writer writer, RequestKind request, FaultKind fault) {
    String path = writer.name().toLowerCase(java.util.Locale.ROOT);
    String suite = "writer " + path;
    if (!CURRENT_GEN.containsKey(writer)) {
      cleanWrite(writer, path);
    }

    // 1. Within the budget: the SDK's retries absorb the faults.
    fx.proxy.clearRules();
    List<Rule> rules = arm(request, fault, MAX_ATTEMPTS - 1);
    int gen = ++generation;
    String runId = "w" + gen;
    BuildResult result = write(writer, path, gen, runId, fault, request == RequestKind.DELETE);
    int injected = injected(rules);
    long lost = fx.lostKeys(path, gen);
    FaultTally.survived(suite, fault, injected, lost);
    assertThat(injected).as("faults injected").isGreaterThanOrEqualTo(
        fault == FaultKind.SLOW ? 1 : MAX_ATTEMPTS - 1);
    assertThat(lost).as("keys lost").isZero();
    assertThat(fx.currentRef(path)).isEqualTo(result.manifestRef());
    if (request == RequestKind.DELETE) {
      assertThat(fx.attemptDirs(path, runId)).as("losers deleted, one attempt per shard")
          .hasSize(FaultFixture.NUM_DBS);
    }
    CURRENT_GEN.put(writer, gen);

    // 2. Beyond the budget.
    if (fault.canExhaustRetries()) {
      beyondBudget(writer, path, suite, request, fault);
    }
  }

  private void beyondBudget(Writer writer, String path, String suite, RequestKind request,
      FaultKind fault) {
    fx.proxy.clearRules();
    String before = fx.currentRef(path);
    int previousGen = CURRENT_GEN.get(writer);
    List<Rule> rules = arm(request, fault, MAX_ATTEMPTS);
    int gen = ++generation;
    String runId = "w" + gen;
    BuildResult[] result = new BuildResult[1];
    Throwable failure = catchThrowable(() -> result[0] = write(writer, path, gen, runId, fault,
        request == RequestKind.DELETE));
    int injected = injected(rules);
    fx.proxy.clearRules();
    assertThat(injected).as("faults injected").isGreaterThanOrEqualTo(MAX_ATTEMPTS);

    if (request == RequestKind.GET_MANIFEST || request == RequestKind.DELETE) {
      // Reuse is an optimisation, loser cleanup best effort: neither fails a write.
      assertThat(failure).as("the write should succeed").isNull();
      long lost = fx.lostKeys(path, gen);
      FaultTally.survived(suite, fault, injected, lost);
      assertThat(lost).isZero();
      assertThat(fx.currentRef(path)).isEqualTo(result[0].manifestRef());
      if (request == RequestKind.DELETE) {
        Set<String> dirs = fx.attemptDirs(path, runId);
        if (fault.forwards()) {
          assertThat(dirs).as("the server deleted the loser").hasSize(FaultFixture.NUM_DBS);
        } else {
          assertThat(dirs).as("the loser stays for cleanup").hasSize(FaultFixture.NUM_DBS + 1);
        }
      }
      CURRENT_GEN.put(writer, gen);
      return;
    }
    FaultFixture.assertRetryable(failure);
    if (request == RequestKind.PUT_CURRENT && fault.forwards()) {
      // The server stored the pointer each time; only the answers were lost. The writer saw
      // its run named by _CURRENT and kept its files: the new snapshot is whole.
      long lost = fx.lostKeys(path, gen);
      FaultTally.failedCleanly(suite, fault, injected, lost);
      assertThat(lost).isZero();
      assertThat(fx.currentRef(path)).contains("run_id=" + runId);
      CURRENT_GEN.put(writer, gen);
      return;
    }
    long lost = fx.lostKeys(path, previousGen);
    FaultTally.failedCleanly(suite, fault, injected, lost);
    assertThat(fx.currentRef(path)).as("_CURRENT unchanged").isEqualTo(before);
    assertThat(lost).as("keys of the previous snapshot lost").isZero();
    if (writer != Writer.BEAM) {
      assertThat(fx.attemptDirs(path, runId)).as("the failed run's uploads removed").isEmpty();
    }
  }

  private List<Rule> arm(RequestKind request, FaultKind fault, int times) {
    List<Rule> rules = new ArrayList<>();
    if (request == RequestKind.DELETE) {
      // A loser to delete: shard 1's first attempt is stored but never acknowledged, so the
      // writer's shard retry uploads a second attempt; the first must then be deleted.
      rules.add(fx.arm(RequestKind.PUT_SHARD, FaultKind.RESET_BEFORE_RESPONSE,
          Times.first(MAX_ATTEMPTS), "[^/]+", ""));
    }
    rules.add(fx.arm(request, fault, fault == FaultKind.SLOW ? Times.always()
        : Times.first(times), "[^/]+", PUBLISH_LIST));
    return rules;
  }

  private static int injected(List<Rule> rules) {
    return rules.stream().mapToInt(Rule::injected).sum();
  }

  private static void cleanWrite(Writer writer, String path) {
    int gen = ++generation;
    BuildResult r = write(writer, path, gen, "w" + gen, null, false);
    assertThat(fx.currentRef(path)).isEqualTo(r.manifestRef());
    assertThat(fx.lostKeys(path, gen)).isZero();
    CURRENT_GEN.put(writer, gen);
  }

  private static BuildResult write(Writer writer, String path, int gen, String runId,
      FaultKind fault, boolean shardRetry) {
    WriteConfig.Builder b = fx.config(path, true, fault).runId(runId);
    if (writer != Writer.PARALLEL) {
      // One file per shard (the Python format): fewer requests, a faster matrix. The
      // parallel cases keep RocksDB's several files per shard.
      b.shardBackend(SqliteBackend.defaults());
    }
    if (shardRetry) {
      b.shardRetry(ShardRetry.of(1, Duration.ZERO));
    }
    WriteConfig config = b.build();
    if (writer == Writer.BEAM) {
      Pipeline p = DirectPipelines.create();
      p.apply(Create.of(KEYS)).apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k)
          .withValueFn(k -> FaultFixture.value(k, gen)));
      DirectPipelines.run(p);
      String ref = fx.currentRef(path);
      assertThat(ref).contains("run_id=" + runId);
      return new BuildResult(runId, List.of(), ref, null);
    }
    return SnapshotWriter.writeSharded(KEYS, config, k -> k, k -> FaultFixture.value(k, gen),
        WriteOptions.defaults().withParallel(writer == Writer.PARALLEL));
  }
}
