package io.shardyfusion.runs;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes run records in the object store that holds the run's shards: the Python
 * system's run registry ({@code runs/<time>_run_id=<run>_<uuid>/run.yaml}, see {@link
 * RunRecordCodec}), plus the legacy {@code runs/run_id=<run>/_RUN} of earlier JVM writers,
 * which are read and honoured but never created. A reader sees the old or the new version of
 * one object (atomic single-object PUTs).
 *
 * <p><b>Several records per run.</b> A record's key holds its creation time and a random uuid,
 * so it cannot be computed from the run id: records are found with one LIST of {@code runs/},
 * keeping the keys whose run id (parsed from the whole key, not a substring match) is the run's.
 * Two tasks of a distributed run that both find none create two records; both are kept, never
 * merged into one object (deleting the other task's record could race with its renewal). The
 * rules that make this safe:
 *
 * <ul>
 *   <li>A run is live if <em>any</em> of its records is live ({@link #merge}: the most
 *       protective record stands for the run), and an unreadable run.yaml counts as live.
 *   <li>Each task keeps the record it found or created current ({@link #renewIfDue} renews
 *       that record); the manifest any live record names as {@code based_on} is protected
 *       ({@link #listAll} gives cleanup every record, not just the merged one).
 *   <li>{@link #finish} rewrites <em>every</em> record of the run, legacy ones too.
 *   <li>{@link #delete} deletes every record of the run.
 * </ul>
 *
 * <p><b>Requests per call</b> (n = the run's records, usually 1; LIST = one listing of {@code
 * runs/}, one request per 1000 keys): {@link #start} 1 PUT; {@link #ensureRunning} 1 LIST +
 * n GET, plus 1 PUT when it creates or renews; {@link #renewIfDue} 1 PUT when due, else none;
 * {@link #finish} 1 LIST + n GET + n PUT (1 PUT if none); {@link #load} 1 LIST + n GET; {@link
 * #list}/{@link #listAll} 1 LIST + 1 GET per record; {@link #delete} 1 LIST + 1 delete request.
 *
 * <pre>{@code
 * RunRecords runs = new RunRecords(store, Clock.systemUTC());
 * RunRecord r = runs.start("r1", Duration.ofHours(1), "in-process", basedOnRef);
 * r = runs.renewIfDue(r, Duration.ofHours(1));   // as shards complete
 * runs.finish("r1", RunStatus.PUBLISHED, manifestRef, null, null); // after _CURRENT is written
 * }</pre>
 */
public final class RunRecords {
  private static final Logger LOG = LoggerFactory.getLogger(RunRecords.class);

  private final ObjectStore store;
  private final Clock clock;
  private final String manifestStore;

  /** Does not own (or close) {@code store}. Records it creates name no manifest store. */
  public RunRecords(ObjectStore store, Clock clock) {
    this(store, clock, null);
  }

  /**
   * @param manifestStore {@code location()} of the manifest store the runs publish to, written
   *     into the records this creates (cleanup through another store then keeps their data)
   */
  public RunRecords(ObjectStore store, Clock clock, String manifestStore) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.manifestStore = manifestStore;
  }

  /**
   * Creates a RUNNING record with a fresh lease at a new key (1 PUT). Earlier records of the
   * run stay; this one is live, so the run is.
   */
  public RunRecord start(String runId, Duration lease, String engine, String basedOn) {
    return create(SnapshotLayout.validateRunId(runId), RunStatus.RUNNING, checkLease(lease),
        engine, basedOn, null);
  }

  /**
   * Makes sure the run has a RUNNING record with at least half a lease left; idempotent, so
   * every task of a distributed run may call it before uploading, concurrently. One LIST and a
   * GET per record of the run; then, if no readable record exists, creates one (1 PUT: two
   * tasks racing here create two records, see the class comment); otherwise returns the
   * record with the latest lease (the earliest key among equals), renewed with 1 PUT when it
   * is not RUNNING or less than half a lease remains. A legacy {@code _RUN} is not rewritten:
   * a new run.yaml takes over its start time and base.
   *
   * @return the record this task keeps current; its {@code basedOn} is the base to reuse
   */
  public RunRecord ensureRunning(String runId, Duration lease, String engine, String basedOn) {
    checkLease(lease);
    SnapshotLayout.validateRunId(runId);
    List<RunRecord> found = loadAll(runId).stream().filter(r -> r.problem() == null).toList();
    Instant now = now();
    Optional<RunRecord> ours = found.stream().filter(r -> !r.legacy())
        .max(Comparator.comparing(RunRecord::leaseExpiresAt)
            .thenComparing(RunRecord::key, Comparator.reverseOrder()));
    if (ours.isEmpty()) {
      Optional<RunRecord> legacy = found.stream().findFirst();
      return create(runId, RunStatus.RUNNING, lease, engine,
          legacy.map(RunRecord::basedOn).orElse(basedOn),
          legacy.map(RunRecord::startedAt).orElse(null));
    }
    RunRecord r = ours.get();
    if (!r.renewalDue(now, lease)) {
      return r;
    }
    // A re-run under a fixed run id revives a FAILED or PUBLISHED record: it uploads again.
    RunRecord renewed = new RunRecord(runId, RunStatus.RUNNING, r.startedAt(), now,
        now.plus(lease), thisWriter(engine), r.basedOn() != null ? r.basedOn() : basedOn,
        RunRecord.FORMAT_VERSION, manifestStore != null ? manifestStore : r.manifestStore(),
        writerType(engine), baseUrl(), RunRecord.SHARD_PREFIX, RunRecord.DB_PATH_TEMPLATE,
        null, null, null, r.key(), null);
    write(renewed);
    return renewed;
  }

  /** Extends the lease of {@code current} when less than half of it remains (1 PUT); else no I/O. */
  public RunRecord renewIfDue(RunRecord current, Duration lease) {
    Instant now = now();
    if (!current.renewalDue(now, checkLease(lease))) {
      return current;
    }
    RunRecord renewed = current.renewed(now, now.plus(lease));
    write(renewed);
    return renewed;
  }

  /** {@link #finish(String, RunStatus, String, String, String)} with nothing more known. */
  public RunRecord finish(String runId, RunStatus status) {
    return finish(runId, status, null, null, null);
  }

  /**
   * Records the end of a run (PUBLISHED or FAILED) in every record of the run; the lease ends
   * now. Creates a record when there is none, e.g. for a run started by a writer that predates
   * run records. An unreadable record is left alone (it keeps the run's data until repaired).
   *
   * @param manifestRef the published manifest, or null
   * @param errorType the failure's simple class name, or null
   * @param errorMessage the failure's message, or null
   * @return the merged record of the run after the update
   */
  public RunRecord finish(String runId, RunStatus status, String manifestRef, String errorType,
      String errorMessage) {
    if (status == RunStatus.RUNNING) {
      throw new ConfigValidationException("finish needs PUBLISHED or FAILED; use start or "
          + "renewIfDue for a running run");
    }
    Instant now = now();
    List<RunRecord> done = new ArrayList<>();
    for (RunRecord old : loadAll(runId)) {
      if (old.problem() != null) {
        continue;
      }
      RunRecord r = old.finished(status, now, manifestRef, errorType, errorMessage);
      write(r);
      done.add(r);
    }
    if (done.isEmpty()) {
      RunRecord r = newRecord(SnapshotLayout.validateRunId(runId), status, Duration.ZERO, null,
          null, null).finished(status, now, manifestRef, errorType, errorMessage);
      write(r);
      return r;
    }
    return merge(done).orElseThrow();
  }

  /** The run's records merged ({@link #merge}), or empty when it has none. */
  public Optional<RunRecord> load(String runId) {
    return merge(loadAll(runId));
  }

  /** Every record of {@code runId} (run.yaml and legacy), in key order; unreadable ones too. */
  public List<RunRecord> loadAll(String runId) {
    return read(runId);
  }

  /**
   * Every run, merged by run id ({@link #merge}), in run id order.
   *
   * @throws ManifestParseException if a legacy {@code _RUN} record is malformed (an unreadable
   *     run.yaml is not an error: it makes its run live)
   */
  public Map<String, RunRecord> list() {
    return mergeByRun(listAll());
  }

  /** Every record object of every run, in key order; unreadable run.yaml ones included. */
  public List<RunRecord> listAll() {
    return read(null);
  }

  /**
   * The most protective view of one run's records: an unreadable record if any (live); else
   * the RUNNING record with the latest lease if any; else the latest updated. Its {@code
   * updatedAt} is the latest of all, and {@code basedOn}/{@code manifestStore} fall back to
   * the first record that names one. Cleanup must still protect the base of every live record
   * ({@link #listAll}): two records of a run may name different bases.
   */
  public static Optional<RunRecord> merge(List<RunRecord> records) {
    if (records.isEmpty()) {
      return Optional.empty();
    }
    Optional<RunRecord> bad = records.stream().filter(r -> r.problem() != null).findFirst();
    if (bad.isPresent()) {
      return bad;
    }
    RunRecord best = records.stream().filter(r -> r.status() == RunStatus.RUNNING)
        .max(Comparator.comparing(RunRecord::leaseExpiresAt))
        .orElseGet(() -> records.stream().max(Comparator.comparing(RunRecord::updatedAt))
            .orElseThrow());
    Instant updated = records.stream().map(RunRecord::updatedAt).max(Comparator.naturalOrder())
        .orElseThrow();
    String basedOn = best.basedOn() != null ? best.basedOn() : records.stream()
        .map(RunRecord::basedOn).filter(Objects::nonNull).findFirst().orElse(null);
    String store = best.manifestStore() != null ? best.manifestStore() : records.stream()
        .map(RunRecord::manifestStore).filter(Objects::nonNull).findFirst().orElse(null);
    return Optional.of(new RunRecord(best.runId(), best.status(), best.startedAt(), updated,
        best.leaseExpiresAt(), best.writer(), basedOn, best.formatVersion(), store,
        best.writerType(), best.s3Prefix(), best.shardPrefix(), best.dbPathTemplate(),
        best.manifestRef(), best.errorType(), best.errorMessage(), best.key(), null));
  }

  /** {@link #merge} of each run's records, in run id order. */
  public static Map<String, RunRecord> mergeByRun(List<RunRecord> records) {
    Map<String, List<RunRecord>> byRun = new java.util.TreeMap<>();
    for (RunRecord r : records) {
      byRun.computeIfAbsent(r.runId(), k -> new ArrayList<>()).add(r);
    }
    Map<String, RunRecord> out = new LinkedHashMap<>();
    byRun.forEach((run, rs) -> out.put(run, merge(rs).orElseThrow()));
    return out;
  }

  /** Deletes every record of {@code runId} (one LIST, one delete request); none is not an error. */
  public void delete(String runId) {
    List<String> keys = store.list(SnapshotLayout.RUNS + "/").stream().map(ObjectInfo::key)
        .filter(k -> runId.equals(SnapshotLayout.parseRunRecordKey(k))).toList();
    if (!keys.isEmpty()) {
      store.deleteAll(keys);
    }
  }

  /** The records of {@code runId}, or of every run when null; one LIST, one GET per record. */
  private List<RunRecord> read(String runId) {
    List<RunRecord> out = new ArrayList<>();
    for (ObjectInfo o : store.list(SnapshotLayout.RUNS + "/")) {
      String id = SnapshotLayout.parseRunRecordKey(o.key());
      if (id == null || runId != null && !runId.equals(id)) {
        continue;
      }
      // Deleted between the listing and the read: no record is what the store now says.
      java.util.Optional<byte[]> bytes;
      try {
        bytes = store.getIfExists(o.key(),
            io.shardyfusion.manifest.ManifestLimits.MAX_RUN_RECORD_BYTES);
      } catch (io.shardyfusion.errors.ObjectTooLargeException e) {
        // not a run record we can read: as an unparseable one, the run counts as live
        LOG.warn("run record {}; treating run {} as live until it is repaired or deleted",
            e.getMessage(), id);
        out.add(RunRecord.unreadable(id, o.key(), e.getMessage()));
        continue;
      }
      bytes.ifPresent(b -> out.add(parse(id, o.key(), b)));
    }
    return out;
  }

  private RunRecord parse(String keyRunId, String key, byte[] bytes) {
    String source = store.url(key);
    if (SnapshotLayout.isLegacyRunRecordKey(key)) {
      return RunRecordCodec.parse(bytes, key, source);
    }
    try {
      RunRecord r = RunRecordCodec.parseYaml(bytes, key, source);
      if (!r.runId().equals(keyRunId)) {
        throw new ManifestParseException("run record " + source + " names run " + r.runId()
            + " but its key names run " + keyRunId);
      }
      return r;
    } catch (ManifestParseException e) {
      // Python or a newer writer may be mid-change, or wrote a format we do not know: nobody
      // can tell whether the run is over, so it is treated as live and nothing of it deleted.
      LOG.warn("{}; treating run {} as live until the record is repaired or deleted",
          e.getMessage(), keyRunId);
      return RunRecord.unreadable(keyRunId, key, e.getMessage());
    }
  }

  private RunRecord create(String runId, RunStatus status, Duration lease, String engine,
      String basedOn, Instant startedAt) {
    RunRecord r = newRecord(runId, status, lease, engine, basedOn, startedAt);
    write(r);
    return r;
  }

  private RunRecord newRecord(String runId, RunStatus status, Duration lease, String engine,
      String basedOn, Instant startedAt) {
    Instant now = now();
    String key = SnapshotLayout.runRecordKey(now, runId,
        UUID.randomUUID().toString().replace("-", ""));
    RunRecord r = new RunRecord(runId, status, startedAt != null ? startedAt : now, now,
        now.plus(lease), thisWriter(engine), basedOn, RunRecord.FORMAT_VERSION, manifestStore,
        writerType(engine), baseUrl(), RunRecord.SHARD_PREFIX, RunRecord.DB_PATH_TEMPLATE, null,
        null, null, key, null);
    return r;
  }

  private void write(RunRecord r) {
    if (r.legacy()) {
      store.put(r.key(), RunRecordCodec.toJson(r), ManifestCodec.JSON_CONTENT_TYPE);
    } else {
      store.put(r.key(), RunRecordCodec.toYaml(r), RunRecordCodec.YAML_CONTENT_TYPE);
    }
  }

  /** Times are kept to the microsecond, as run.yaml writes them. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private String baseUrl() {
    String u = store.baseUrl();
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  private static String writerType(String engine) {
    return RunRecord.WRITER_TYPE_PREFIX + (engine != null ? engine : "unknown");
  }

  private static Duration checkLease(Duration lease) {
    if (lease == null || lease.isZero() || lease.isNegative()) {
      throw new ConfigValidationException("runLease must be > 0, got " + lease
          + "; use a duration longer than the slowest shard build, e.g. PT1H");
    }
    return lease;
  }

  private static RunRecord.Writer thisWriter(String engine) {
    return new RunRecord.Writer(HostName.get(), ProcessHandle.current().pid(), engine);
  }
}
