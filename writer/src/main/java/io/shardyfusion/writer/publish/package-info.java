/**
 * The storage-side pieces of a run that {@link io.shardyfusion.writer.RunLifecycle} strings
 * together: run and attempt ids, the run's lease, uploading one attempt into its own directory,
 * choosing winners, and the two-phase publish (manifest, then {@code _CURRENT}). Knows nothing
 * of the writers ({@code io.shardyfusion.writer}), which depend on it, never the reverse.
 */
package io.shardyfusion.writer.publish;
