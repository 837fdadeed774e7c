package io.shardyfusion.transforms;

import io.shardyfusion.writer.publish.ShardAttempt;
import java.io.Serializable;

/**
 * Test-only access, from the runners' tests, to {@link ShardedWrite}'s package-private attempt
 * hook (a test seam, not API): lives in the transforms package of this module's test tree.
 */
public final class AttemptHooks {
  private AttemptHooks() {}

  /** Called after a shard attempt is uploaded and before it is reported; may throw. */
  @FunctionalInterface
  public interface AfterUpload extends Serializable {
    void afterUpload(ShardAttempt attempt);
  }

  /** {@code write} with {@code hook} run after each attempt's upload. */
  public static <T> ShardedWrite<T> withAttemptHook(ShardedWrite<T> write, AfterUpload hook) {
    return write.withAttemptHook(hook::afterUpload);
  }
}
