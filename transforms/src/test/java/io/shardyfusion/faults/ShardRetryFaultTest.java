package io.shardyfusion.faults;

import static io.shardyfusion.faults.FaultFixture.KEYS;
import static io.shardyfusion.faults.FaultFixture.NUM_DBS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.shardyfusion.backend.sqlite.SqliteBackend;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.testing.S3FaultProxy.Fault;
import io.shardyfusion.testing.S3FaultProxy.Requests;
import io.shardyfusion.testing.S3FaultProxy.Rule;
import io.shardyfusion.testing.S3FaultProxy.Times;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.ShardRetry;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-process writer's shard retry against real S3 faults. The SDK makes one attempt per
 * request here, so every injected fault fails a shard attempt and only the shard retry can
 * save the write. The faults reset the connection after the server stored the file, so each
 * failed attempt leaves a complete-looking directory: the losers publish must delete.
 */
@UsesS3Proxy
class ShardRetryFaultTest {
  static FaultFixture fx;
  private static final AtomicInteger RUNS = new AtomicInteger();

  @BeforeAll
  static void start(S3ProxyServer s3) {
    fx = new FaultFixture(s3, "shard-retry");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static WriteConfig config(String path, String runId, int retries) {
    return fx.config(path, true, null).runId(runId)
        .s3ConnectionOptions(fx.options(true, null).toBuilder().maxAttempts(1).build())
        .shardBackend(SqliteBackend.defaults())
        .shardRetry(ShardRetry.of(retries, Duration.ZERO)).build();
  }

  private static BuildResult write(WriteConfig config, int gen, boolean parallel) {
    return SnapshotWriter.writeSharded(KEYS, config, k -> k, k -> FaultFixture.value(k, gen),
        WriteOptions.defaults().withParallel(parallel));
  }

  @ParameterizedTest(name = "parallel={0}")
  @ValueSource(booleans = {false, true})
  void anUploadThatFailsTwiceIsPublishedFromItsThirdAttemptAndTheLosersAreDeleted(
      boolean parallel) {
    String path = "twice-" + parallel;
    String runId = "retry" + RUNS.incrementAndGet();
    Rule rule = fx.proxy.inject(Requests.put(".*shards/run_id=" + runId + "/db=00001/.*"),
        Fault.resetBeforeResponse(), Times.first(2));

    BuildResult result = write(config(path, runId, 2), 1, parallel);
    fx.proxy.clearRules();

    assertThat(rule.injected()).isEqualTo(2);
    // Both failed attempts reached the server, each in a directory of its own.
    assertThat(rule.log()).hasSize(2).doesNotHaveDuplicates();
    assertThat(result.winners()).extracting(ShardMeta::dbId).containsExactly(0, 1);
    ShardMeta winner = result.winners().get(1);
    String winnerDir = winner.dbUrl().substring(winner.dbUrl().indexOf("shards/"));
    assertThat(rule.log()).noneMatch(r -> r.contains(winnerDir + "/"));
    assertThat(fx.attemptDirs(path, runId)).as("one attempt per shard: the losers deleted")
        .hasSize(NUM_DBS).anyMatch(d -> d.endsWith(winnerDir));
    assertThat(fx.currentRef(path)).isEqualTo(result.manifestRef());
    assertThat(fx.lostKeys(path, 1)).isZero();
    FaultTally.survived("shard retry (in-process, SDK 1 attempt)",
        FaultKind.RESET_BEFORE_RESPONSE, rule.injected(), 0);
  }

  @ParameterizedTest(name = "parallel={0}")
  @ValueSource(booleans = {false, true})
  void beyondTheShardRetriesTheWriteFailsRetryablyAndRemovesEveryAttempt(boolean parallel) {
    String path = "beyond-" + parallel;
    write(config(path, "base" + RUNS.incrementAndGet(), 0), 1, parallel);
    String before = fx.currentRef(path);
    String runId = "retry" + RUNS.incrementAndGet();
    Rule rule = fx.proxy.inject(Requests.put(".*shards/run_id=" + runId + "/db=00001/.*"),
        Fault.resetBeforeResponse(), Times.first(3));

    Throwable failure = catchThrowable(() -> write(config(path, runId, 2), 2, parallel));
    fx.proxy.clearRules();

    FaultFixture.assertRetryable(failure);
    assertThat(rule.injected()).isEqualTo(3);
    assertThat(fx.currentRef(path)).isEqualTo(before);
    assertThat(fx.lostKeys(path, 1)).isZero();
    assertThat(fx.attemptDirs(path, runId)).as("the failed run's attempts removed").isEmpty();
    FaultTally.failedCleanly("shard retry (in-process, SDK 1 attempt)",
        FaultKind.RESET_BEFORE_RESPONSE, rule.injected(), 0);
    // A later run succeeds.
    write(config(path, "later" + RUNS.incrementAndGet(), 2), 3, parallel);
    assertThat(fx.lostKeys(path, 3)).isZero();
  }

  @ParameterizedTest(name = "parallel={0}")
  @ValueSource(booleans = {false, true})
  void aNonRetryableAnswerIsNotRetried(boolean parallel) {
    String path = "denied-" + parallel;
    String runId = "denied" + RUNS.incrementAndGet();
    // Spent after one request: a retry would succeed, so a failure proves there was none.
    Rule rule = fx.proxy.inject(Requests.put(".*shards/run_id=" + runId + "/db=00001/.*"),
        Fault.error(403, "AccessDenied"), Times.first(1));

    Throwable failure = catchThrowable(() -> write(config(path, runId, 3), 1, parallel));
    fx.proxy.clearRules();

    assertThat(failure).isInstanceOfSatisfying(StorageException.class,
        e -> assertThat(e.retryable()).isFalse());
    assertThat(rule.matched()).isEqualTo(1);
    assertThat(fx.currentRef(path)).isNull();
  }
}
