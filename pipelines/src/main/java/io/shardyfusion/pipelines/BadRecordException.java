package io.shardyfusion.pipelines;

import io.shardyfusion.errors.ShardyfusionException;

/**
 * A record the job cannot store. The message names the record (file and line where the format
 * has lines), the field, the problem and the fix; the job fails and publishes nothing.
 */
public final class BadRecordException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  public BadRecordException(String source, String problem) {
    super(source + ": " + problem, false);
  }

  public BadRecordException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, false, cause);
  }
}
