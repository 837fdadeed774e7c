package io.shardyfusion.writer;

import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.writer.sort.RecordCursor;
import io.shardyfusion.writer.publish.RunIds;
import io.shardyfusion.writer.publish.RunLease;
import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.publish.ShardUploader;
import io.shardyfusion.writer.publish.SnapshotPublisher;
import io.shardyfusion.writer.publish.WinnerSelector;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The life of one run: the one protocol every writer follows, the in-process {@link
 * SnapshotWriter} and the Beam transform's tasks alike. Its steps, in order:
 *
 * <ol>
 *   <li><b>begin</b> ({@link #begin} for a run with one driver, {@link #join} for each task of a
 *       distributed run): the run record says RUNNING, with a lease, before the run uploads
 *       anything, so that cleanup sees the run as live before any of its objects exist.
 *   <li><b>base</b>: the shards of the snapshot being replaced that may be reused ({@link
 *       PreviousSnapshot}): only those of the manifest the run record names as
 *       {@code based_on} (the one cleanup protects), and none if the pointer moved between
 *       loading the base and writing the record (until then nothing protected the base).
 *   <li><b>attempt</b> ({@link Run#upload}, {@link Run#attempt}): one shard built and uploaded
 *       into its own attempt directory (or pointing at the base's files when its records did
 *       not change); the lease is renewed when due.
 *   <li><b>publish</b> ({@link Run#publish}): one winner per shard, the shard count settled,
 *       manifest, then {@code _CURRENT}, then the record PUBLISHED, then the losing attempts
 *       deleted; the {@link BuildResult}.
 *   <li>or <b>fail</b> ({@link Run#fail}), by the failure rule below.
 * </ol>
 *
 * <p><b>The failure rule</b>, the same for every step after begin and every writer. A failure
 * either is left to a retry or ends the run:
 *
 * <ul>
 *   <li>It is <em>left to a retry</em> when the caller's runner re-runs failed steps ({@link
 *       Retries#BY_RUNNER}: a Beam runner retries a failed bundle) and the failure may pass: a
 *       {@linkplain ShardyfusionException#retryable() retryable} {@link ShardyfusionException},
 *       or any other exception (whose nature is unknown). Nothing is touched: the retry needs
 *       the run record and the run's other uploads, which other tasks may already have
 *       reported. If the retries run out, the lease expires and retention cleanup removes the
 *       uploads.
 *   <li>Otherwise it <em>ends the run</em>: no retry can publish it (a non-retryable failure:
 *       duplicate keys, a bad key, routing, configuration), or nobody retries ({@link
 *       Retries#NONE}: the in-process writer). Then, best effort and never replacing the
 *       original failure: (a) if the current pointer names the run anyway (a publish that
 *       committed and then reported an error, or a store that cannot tell), its files are
 *       live and are kept; otherwise (b) the run's uploads are deleted and (c) its record says
 *       FAILED, so cleanup need not wait for its lease to expire.
 * </ul>
 *
 * <pre>{@code
 * RunLifecycle lifecycle = RunLifecycle.create(config, "in-process", Retries.NONE);
 * RunLifecycle.Run run = lifecycle.begin(store, manifests);          // 1, 2
 * try {
 *   List<ShardAttempt> attempts = ...run.upload(builtShard, startNanos)...;  // 3
 *   return run.publish(attempts, shardCount, shardingMs);            // 4
 * } catch (RuntimeException e) {
 *   throw run.fail(e);
 * }
 * }</pre>
 *
 * <p>Immutable and serializable: a Beam transform creates it when the pipeline is built, so the
 * run id and creation time are the same on every worker and in a retried publish.
 */
public final class RunLifecycle implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RunLifecycle.class);

  /** Whether something re-runs a failed step; decides the failure rule (see the class comment). */
  public enum Retries {
    /** Nobody re-runs a failed step (the in-process writer): every failure ends the run. */
    NONE,
    /** A runner re-runs failed steps (Beam bundles): a failure that may pass is left to it. */
    BY_RUNNER
  }

  private final WriteConfig config;
  private final String runId;
  private final Instant createdAt;
  private final String engine;
  private final Retries retries;

  private RunLifecycle(WriteConfig config, String runId, Instant createdAt, String engine,
      Retries retries) {
    this.config = config;
    this.runId = runId;
    this.createdAt = createdAt;
    this.engine = engine;
    this.retries = retries;
  }

  /**
   * A new run of {@code config}: its id ({@link WriteConfig#runId()}, or a fresh one) and
   * creation time are fixed now.
   *
   * @param engine names the writer in run records and the manifest (e.g. "in-process", "beam")
   */
  public static RunLifecycle create(WriteConfig config, String engine, Retries retries) {
    Objects.requireNonNull(config, "config");
    // Microseconds: the precision of the Python system's manifest names and created_at.
    Instant createdAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    return new RunLifecycle(config,
        config.runId() != null ? config.runId() : RunIds.newRunId(createdAt), createdAt,
        Objects.requireNonNull(engine, "engine"), Objects.requireNonNull(retries, "retries"));
  }

  public WriteConfig config() {
    return config;
  }

  /**
   * The same run (id, creation time, engine) with {@code resolved}, a config a writer derived
   * from this one once the data was seen ({@link WriteConfig#withRoutingValues}).
   */
  public RunLifecycle withConfig(WriteConfig resolved) {
    return new RunLifecycle(Objects.requireNonNull(resolved, "resolved"), runId, createdAt,
        engine, retries);
  }

  public String runId() {
    return runId;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public String engine() {
    return engine;
  }

  public Retries retries() {
    return retries;
  }

  /**
   * Steps 1 and 2 for a run with one driver: writes a fresh RUNNING record naming the current
   * manifest as its base, then keeps that base only if the pointer still names it.
   */
  public Run begin(ObjectStore store, ManifestStore manifests) {
    PreviousSnapshot.Reusable base = PreviousSnapshot.load(manifests, config);
    RunLease lease = RunLease.start(records(store, manifests), runId, config.runLease(), engine,
        base.manifestRef());
    return withBase(new Run(store, manifests, lease, Map.of()), base);
  }

  /**
   * Steps 1 and 2 for one task of a distributed run: makes sure the record is RUNNING
   * (idempotent; the first task writes it, naming {@code loaded} as the base), then reuses
   * {@code loaded} only if it is the base the record names and the pointer still names it.
   *
   * @param loaded the base this task loaded ({@link PreviousSnapshot#load}), or {@link
   *     PreviousSnapshot.Reusable#NONE} for a task that reuses nothing (the publish step)
   */
  public Run join(ObjectStore store, ManifestStore manifests,
      PreviousSnapshot.Reusable loaded) {
    RunLease lease = RunLease.join(records(store, manifests), runId, config.runLease(), engine,
        loaded.manifestRef());
    // Tasks may have loaded different current manifests; only the one the record names is
    // protected from cleanup.
    PreviousSnapshot.Reusable base = loaded.onlyIfBasedOn(lease.record().basedOn());
    return withBase(new Run(store, manifests, lease, Map.of()), base);
  }

  /** {@code run} reusing {@code base} if still current; a failure to tell fails the run. */
  private Run withBase(Run run, PreviousSnapshot.Reusable base) {
    try {
      return new Run(run.store, run.manifests, run.lease, stillCurrent(run.manifests, base));
    } catch (RuntimeException e) {
      throw run.fail(e);
    }
  }

  private RunRecords records(ObjectStore store, ManifestStore manifests) {
    return new RunRecords(store, Clock.systemUTC(), manifests.location());
  }

  /**
   * {@code base}, or none if the pointer moved since it was loaded: until the record existed
   * nothing protected the base from cleanup, which may have judged it old meanwhile.
   */
  private static Map<Integer, ShardMeta> stillCurrent(ManifestStore manifests,
      PreviousSnapshot.Reusable base) {
    if (base.manifestRef() == null) {
      return Map.of();
    }
    String now = manifests.loadCurrent().map(CurrentPointer::manifestRef).orElse(null);
    return base.manifestRef().equals(now) ? base.shards() : Map.of();
  }

  /**
   * One begun run, in one process: the handle for steps 3 and 4, and for failing. Uses (does
   * not own or close) the stores it was begun with.
   */
  public final class Run {
    private final ObjectStore store;
    private final ManifestStore manifests;
    private final RunLease lease;
    private final Map<Integer, ShardMeta> base;

    private Run(ObjectStore store, ManifestStore manifests, RunLease lease,
        Map<Integer, ShardMeta> base) {
      this.store = store;
      this.manifests = manifests;
      this.lease = lease;
      this.base = Map.copyOf(base);
    }

    public String runId() {
      return runId;
    }

    /** The reusable shards of the base by db id (step 2); empty when nothing may be reused. */
    public Map<Integer, ShardMeta> base() {
      return base;
    }

    /**
     * Step 3 for a shard the caller built: uploads it as a fresh attempt (or points at the
     * base's files when its records did not change) and renews the lease when due.
     *
     * @param startNanos when building the shard started, for the reported duration
     */
    public ShardAttempt upload(BuiltShard shard, long startNanos) {
      ShardAttempt attempt = ShardUploader.upload(store, runId, RunIds.newAttemptId(), shard,
          config.keyEncoding(), engine, startNanos, base.get(shard.dbId()));
      lease.renewIfDue();
      return attempt;
    }

    /**
     * Step 3 from one shard's records (a distributed task): sorts them in bounded heap, builds
     * the shard and uploads it; see {@link ShardAttemptWriter#write}.
     *
     * @return the attempt, or null when there were no records
     */
    public ShardAttempt attempt(int dbId, Consumer<BiConsumer<byte[], byte[]>> records,
        long sortBufferBytes) {
      // A distributed task's lines about this shard name it (MDC: any binding, Beam's too).
      try (MDC.MDCCloseable r = MDC.putCloseable("run_id", runId);
          MDC.MDCCloseable s = MDC.putCloseable("shard_id", Integer.toString(dbId))) {
        ShardAttempt attempt = ShardAttemptWriter.write(store, config, runId, dbId, records,
            sortBufferBytes, engine, base.get(dbId));
        lease.renewIfDue();
        return attempt;
      }
    }

    /**
     * Step 3 from one shard's records already in key order (a distributed sort whose runs the
     * task merges), in two halves: this call writes the records on the calling thread;
     * {@link ShardAttemptWriter.Written#upload()} finishes and uploads the attempt (renewing
     * the lease) on any thread. See {@link ShardAttemptWriter#writeRecords}.
     *
     * @param sorted opens the sorted records, given a fresh temporary directory
     * @return the written shard, or null when there were no records
     */
    public ShardAttemptWriter.Written writeSorted(int dbId,
        java.util.function.Function<java.nio.file.Path, RecordCursor> sorted) {
      return ShardAttemptWriter.writeRecords(store, config, runId, dbId, sorted, engine,
          base.get(dbId), lease::renewIfDue);
    }

    /**
     * Step 4: chooses one winner per shard among {@code attempts}, settles the shard count,
     * publishes manifest then {@code _CURRENT}, marks the record PUBLISHED and deletes the
     * losing attempts.
     *
     * @param shardCount the run's count, {@linkplain ShardCount#resolve resolved}
     * @param shardingMs how long routing and sorting took before begin (0 when a runner did)
     */
    public BuildResult publish(Collection<ShardAttempt> attempts, ShardCount shardCount,
        long shardingMs) {
      long start = System.nanoTime();
      List<ShardAttempt> winners = WinnerSelector.winners(attempts);
      BitSet used = new BitSet();
      winners.forEach(w -> used.set(w.dbId()));
      Manifest manifest = ManifestAssembler.assemble(config, runId, createdAt,
          shardCount.settle(used), winners);
      SnapshotPublisher.Published published = SnapshotPublisher.publish(store, manifests,
          manifest, config.manifestFormat());
      markPublished(published.manifestRef());
      // Always list: an attempt whose task failed after uploading (a retried bundle, a killed
      // speculative task) is never reported, so comparing counts would miss it.
      SnapshotPublisher.deleteLosers(store, runId, winners);

      long manifestMs = ms(System.nanoTime() - start);
      long totalMs = Math.max(manifestMs + shardingMs,
          Duration.between(createdAt, Instant.now()).toMillis());
      BuildStats stats = BuildStats.builder()
          .rowsWritten(winners.stream().mapToLong(ShardAttempt::rowCount).sum())
          .bytesWritten(winners.stream().mapToLong(ShardAttempt::recordBytes).sum())
          .numDbs(manifest.numDbs()).numWinners(winners.size())
          .numAttemptResults(attempts.size()).shardingMs(shardingMs)
          .writeMs(totalMs - shardingMs - manifestMs).manifestMs(manifestMs).totalMs(totalMs)
          .build();
      LOG.atInfo().addKeyValue("run_id", runId)
          .addKeyValue("manifest_ref", published.manifestRef())
          .log("run {}: {} rows in {} shards, {} ms ({} rows/s)", runId, stats.rowsWritten(),
          stats.numDbs(), stats.totalMs(), Math.round(stats.rowsPerSecond()));
      return BuildResult.of(manifest, published.manifestRef(), stats);
    }

    /**
     * Applies the failure rule (see {@link RunLifecycle}) to {@code cause}, a failure of a step
     * after begin, and returns it for the caller to throw: {@code throw run.fail(e);}.
     */
    public RuntimeException fail(RuntimeException cause) {
      if (retries == Retries.BY_RUNNER && mayPass(cause)) {
        LOG.atWarn().addKeyValue("run_id", runId)
            .log("run {}: a step failed ({}); leaving its uploads to the runner's retry", runId,
            cause.toString());
        return cause;
      }
      try {
        if (!pointerNamesRun()) {
          deleteUploads(cause);
          lease.finish(RunStatus.FAILED, null, cause);
        }
      } catch (RuntimeException e) {
        LOG.atWarn().addKeyValue("run_id", runId)
            .log("run {} failed and could not be marked FAILED (its lease will expire): {}",
            runId, e.toString());
        cause.addSuppressed(e);
      }
      return cause;
    }

    private boolean mayPass(RuntimeException cause) {
      return !(cause instanceof ShardyfusionException e) || e.retryable();
    }

    /**
     * Whether the pointer names this run although a step reported an error (e.g. the database
     * committed and then the connection dropped): its files are then live, not debris. When
     * that cannot be told, the answer is yes: leaving debris is safe, deleting live shards is
     * not. A fresh manifest store: the run's own may be what failed.
     */
    private boolean pointerNamesRun() {
      try (ManifestStore fresh = config.openManifestStore(store)) {
        boolean live = fresh.loadCurrent().map(p -> p.runId().equals(runId)).orElse(false);
        if (live) {
          LOG.atWarn().addKeyValue("run_id", runId)
              .log("run {} reported an error but the current pointer names it; keeping its "
              + "files", runId);
        }
        return live;
      } catch (RuntimeException e) {
        LOG.atWarn().addKeyValue("run_id", runId)
            .log("run {} failed and the manifest store cannot tell whether it is live ({}); "
            + "keeping its files for cleanup to judge", runId, e.toString());
        return true;
      }
    }

    private void deleteUploads(RuntimeException cause) {
      try {
        List<String> keys = store.list(SnapshotLayout.runShardsPrefix(runId)).stream()
            .map(ObjectInfo::key).toList();
        store.deleteAll(keys);
      } catch (RuntimeException e) {
        LOG.atWarn().addKeyValue("run_id", runId)
            .log("run {} failed and its partial uploads could not be removed: {}", runId,
            e.toString());
        cause.addSuppressed(e);
      }
    }

    /**
     * Best effort: the snapshot is already live, so a failed PUT must not fail the write. A
     * record left RUNNING only delays cleanup of this run's losers until its lease expires.
     */
    private void markPublished(String manifestRef) {
      try {
        lease.finish(RunStatus.PUBLISHED, manifestRef, null);
      } catch (RuntimeException e) {
        LOG.atWarn().addKeyValue("run_id", runId)
            .log("run {} is published but its run record could not say so: {}", runId,
            e.toString());
      }
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
