package io.shardyfusion.runs;

/** Where a run is in its life; written to its run record as the enum name. */
public enum RunStatus {
  /** Building or uploading; its uploads are protected while the lease is live. */
  RUNNING,
  /** {@code _CURRENT} pointed at its manifest at least once. */
  PUBLISHED,
  /** Gave up; its uploads are garbage unless a kept manifest references them. */
  FAILED
}
