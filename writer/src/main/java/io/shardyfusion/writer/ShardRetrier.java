package io.shardyfusion.writer;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's retry budget in the in-process writer ({@link ShardRetry}), shared by its build
 * and upload steps: a shard gets {@code maxRetries} more tries in all, not per step. Each try
 * of the upload goes to a fresh attempt directory (the run's {@code upload} draws a new
 * attempt id), so a failed try can never be mistaken for, or overwrite, the one that wins.
 */
final class ShardRetrier {
  private static final Logger LOG = LoggerFactory.getLogger(ShardRetrier.class);

  private final ShardRetry policy;
  private final String runId;
  private final int dbId;
  private int failures;

  ShardRetrier(ShardRetry policy, String runId, int dbId) {
    this.policy = policy;
    this.runId = runId;
    this.dbId = dbId;
  }

  /**
   * Runs {@code first}, then {@code retry} after each failure the policy retries, waiting the
   * policy's backoff in between; the last failure is thrown as it was.
   *
   * @param step names the step in the log ("build", "upload")
   */
  <T> T run(String step, Supplier<T> first, Supplier<T> retry) {
    Supplier<T> next = first;
    while (true) {
      try {
        return next.get();
      } catch (RuntimeException e) {
        failures++;
        if (!policy.shouldRetry(e, failures)) {
          if (failures > 1) {
            LOG.warn("run {} shard {}: {} failed on try {} of {}; giving up", runId, dbId,
                step, failures, policy.maxAttempts());
          }
          throw e;
        }
        Duration wait = policy.backoffBefore(failures);
        LOG.warn("run {} shard {}: {} failed on try {} of {} ({}); trying again in {} ms",
            runId, dbId, step, failures, policy.maxAttempts(), e.toString(), wait.toMillis());
        sleep(wait);
        next = retry;
      }
    }
  }

  /** Failed tries so far. */
  int failures() {
    return failures;
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.shardyfusion.errors.ShardBuildException("interrupted while waiting to "
          + "retry a shard; the write was cancelled", true, e);
    }
  }
}
