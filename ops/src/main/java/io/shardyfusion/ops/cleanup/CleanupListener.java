package io.shardyfusion.ops.cleanup;

/**
 * Progress of {@link Cleanup#execute}, for a CLI to draw. Called on the executing thread after
 * each step; throwing aborts the cleanup, which is safe to run again.
 *
 * <pre>{@code
 * cleanup.execute(plan, (done, total, bytes, totalBytes) ->
 *     System.err.printf("\r%d/%d objects (%d bytes)", done, total, bytes));
 * }</pre>
 */
@FunctionalInterface
public interface CleanupListener {
  /** Does nothing. */
  CleanupListener NONE = (objectsDeleted, objectsTotal, bytesDeleted, bytesTotal) -> {};

  /** After the manifests are deleted (before any shard object). */
  default void manifestsDeleted(int count) {}

  /** After each batch of shard objects. */
  void objectsDeleted(long objectsDeleted, long objectsTotal, long bytesDeleted,
      long bytesTotal);
}
