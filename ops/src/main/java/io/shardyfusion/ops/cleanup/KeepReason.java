package io.shardyfusion.ops.cleanup;

/** Why cleanup keeps a manifest or (some of) a run's data. */
public enum KeepReason {
  /** The manifest {@code _CURRENT} points at (after a rollback, possibly an old one). */
  CURRENT("current"),
  /** Named by {@link RetentionPolicy#protectRefs()}, e.g. pinned by a reader. */
  PROTECTED("protected"),
  /** The {@code based_on} manifest of a run with a live lease: it may reuse its shards. */
  BASE_OF_LIVE_RUN("base of a running run"),
  /** Among the newest {@link RetentionPolicy#keepLast()} manifests. */
  WITHIN_KEEP_LAST("within keep-last"),
  /** Younger than {@link RetentionPolicy#olderThan()}. */
  YOUNGER_THAN_MAX_AGE("younger than older-than"),
  /** Shard files of the run are referenced by a kept manifest (its own or a later run's). */
  REFERENCED_BY_KEPT_MANIFEST("referenced by a kept manifest"),
  /** A kept manifest belongs to the run, so its run record stays. */
  HAS_KEPT_MANIFEST("has a kept manifest"),
  /** The run record is RUNNING and its lease has not expired. */
  LIVE_LEASE("live lease"),
  /** No run record and its newest object is younger than the grace period. */
  NO_RECORD_WITHIN_GRACE("no run record, uploaded within the grace period"),
  /**
   * The run publishes to another manifest store than the one cleaning up (its record says
   * which): this cleanup cannot see its manifests, so it must not judge its data.
   */
  OTHER_MANIFEST_STORE("published to another manifest store");

  private final String description;

  KeepReason(String description) {
    this.description = description;
  }

  /** An immutable copy in declaration order, so plans print and serialize stably. */
  static java.util.Set<KeepReason> ordered(java.util.Collection<KeepReason> reasons) {
    return reasons.isEmpty() ? java.util.Set.of()
        : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(reasons));
  }

  /** A short phrase for plan listings. */
  public String description() {
    return description;
  }
}
