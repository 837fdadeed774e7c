package io.shardyfusion.transforms;

import io.shardyfusion.writer.publish.ShardAttempt;
import java.io.Serializable;

/**
 * Test seam of {@link ShardedWrite#withAttemptHook} (package-private, not API): called after a
 * shard attempt is uploaded and before it is reported. For tests that need a task to fail after
 * its side effects happened (a retried bundle, a speculative duplicate): throwing here leaves
 * an uploaded attempt that must lose and be cleaned up.
 */
@FunctionalInterface
interface AttemptHook extends Serializable {
  void afterUpload(ShardAttempt attempt);
}
