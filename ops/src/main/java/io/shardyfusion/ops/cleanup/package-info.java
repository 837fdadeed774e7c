/**
 * Retention cleanup of old snapshots: which manifests to delete ({@link
 * io.shardyfusion.ops.cleanup.RetentionPolicy}), what shard data and run records then go ({@link
 * io.shardyfusion.ops.cleanup.CleanupPlanner}), and deleting it safely ({@link
 * io.shardyfusion.ops.cleanup.Cleanup}).
 *
 * <pre>{@code
 * Cleanup cleanup = new Cleanup(manifestStore, objectStore, Clock.systemUTC());
 * CleanupPlan plan = cleanup.plan(RetentionPolicy.builder().keepLast(3).build());
 * System.out.println(plan.render());               // a dry run stops here
 * CleanupReport report = cleanup.execute(plan, CleanupListener.NONE);
 * }</pre>
 */
package io.shardyfusion.ops.cleanup;
