package io.shardyfusion.ops.cleanup;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.runs.RunRecord;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which manifests retention cleanup may delete. A manifest goes only if every given rule allows
 * it: it is beyond the newest {@code keepLast} AND older than {@code olderThan}. Never deleted,
 * whatever the rules: the current manifest, {@link #protectRefs()}, and the manifests runs with
 * a live lease are based on.
 *
 * <pre>{@code
 * // shardy cleanup --keep-last 3 --older-than 7d --protect-ref REF
 * RetentionPolicy policy = RetentionPolicy.builder()
 *     .keepLast(3).olderThan(Duration.ofDays(7)).protectRef(ref).build();
 * }</pre>
 */
public final class RetentionPolicy {
  private final Integer keepLast;
  private final Duration olderThan;
  private final Set<String> protectRefs;
  private final Duration orphanGrace;

  private RetentionPolicy(Builder b) {
    this.keepLast = b.keepLast;
    this.olderThan = b.olderThan;
    this.protectRefs = Set.copyOf(b.protectRefs);
    this.orphanGrace = b.orphanGrace;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How many of the newest manifests are always kept, if that rule is given. */
  public Optional<Integer> keepLast() {
    return Optional.ofNullable(keepLast);
  }

  /** Manifests younger than this are always kept, if that rule is given. */
  public Optional<Duration> olderThan() {
    return Optional.ofNullable(olderThan);
  }

  /** Manifest refs that are never deleted (readers pinned to them). */
  public Set<String> protectRefs() {
    return protectRefs;
  }

  /**
   * How long uploads of a run without a run record are left alone (default: the default run
   * lease): they may belong to a writer that predates run records and is still running.
   */
  public Duration orphanGrace() {
    return orphanGrace;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    if (keepLast != null) {
      s.append("keep-last ").append(keepLast);
    }
    if (olderThan != null) {
      s.append(s.length() > 0 ? " and " : "").append("older-than ").append(olderThan);
    }
    if (!protectRefs.isEmpty()) {
      s.append(", protecting ").append(protectRefs.size()).append(" ref(s)");
    }
    return s.append(", orphan grace ").append(orphanGrace).toString();
  }

  /** Builder; {@link #build()} requires keepLast or olderThan. */
  public static final class Builder {
    private Integer keepLast;
    private Duration olderThan;
    private final Set<String> protectRefs = new LinkedHashSet<>();
    private Duration orphanGrace = RunRecord.DEFAULT_LEASE;

    private Builder() {}

    public Builder keepLast(int n) {
      if (n < 1) {
        throw new ConfigValidationException("keepLast must be >= 1, got " + n
            + "; the newest manifest is always kept (use olderThan alone to keep by age)");
      }
      this.keepLast = n;
      return this;
    }

    public Builder olderThan(Duration age) {
      if (age == null || age.isNegative()) {
        throw new ConfigValidationException("olderThan must be a duration >= 0, got " + age);
      }
      this.olderThan = age;
      return this;
    }

    public Builder protectRef(String ref) {
      if (ref == null || ref.isBlank()) {
        throw new ConfigValidationException("protectRef must be a manifest ref, got '" + ref
            + "'");
      }
      protectRefs.add(ref);
      return this;
    }

    public Builder protectRefs(Collection<String> refs) {
      refs.forEach(this::protectRef);
      return this;
    }

    public Builder orphanGrace(Duration grace) {
      if (grace == null || grace.isNegative()) {
        throw new ConfigValidationException("orphanGrace must be a duration >= 0, got " + grace);
      }
      this.orphanGrace = grace;
      return this;
    }

    public RetentionPolicy build() {
      if (keepLast == null && olderThan == null) {
        throw new ConfigValidationException("a retention policy needs keepLast and/or "
            + "olderThan (e.g. --keep-last 3 or --older-than 7d); without either every old "
            + "manifest would be deleted");
      }
      return new RetentionPolicy(this);
    }
  }
}
