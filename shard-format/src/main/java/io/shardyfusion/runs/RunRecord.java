package io.shardyfusion.runs;

import java.time.Duration;
import java.time.Instant;

/**
 * What the object store knows about one run, as one run record object says it: a run.yaml of
 * the Python system's run registry ({@code runs/<time>_run_id=<run>_<uuid>/run.yaml}, written by
 * either system) or a legacy {@code runs/run_id=<run>/_RUN} of our earlier writers. A run in
 * progress holds a lease it renews; cleanup never deletes the uploads of a run whose lease is
 * live, nor the manifest named by {@code basedOn} (the one whose shard files the run may reuse).
 *
 * <pre>{@code
 * based_on: "s3://bucket/users/manifests/2026-11-23T19:33:00.000000Z_run_id=r0/manifest"
 * db_path_template: "db={db_id:05d}"
 * error_message: null
 * error_type: null
 * format_version: 1
 * lease_expires_at: "2026-11-24T19:43:00.000000Z"
 * manifest_ref: null
 * manifest_store: "s3://bucket/users/_CURRENT"
 * run_id: "20261124T193300Z-3f9a2c1b"
 * s3_prefix: "s3://bucket/users"
 * shard_prefix: "shards"
 * started_at: "2026-11-24T19:33:00.000000Z"
 * status: "running"
 * updated_at: "2026-11-24T19:33:00.000000Z"
 * writer:
 *   engine: "in-process"
 *   host: "worker-7"
 *   pid: 4242
 * writer_type: "shardyfusion-jvm/in-process"
 * }</pre>
 *
 * <p>{@code based_on}, {@code manifest_store} and {@code writer} are ours; the Python system
 * ignores keys it does not know. A record nobody can read ({@link #problem()} set) counts as a
 * live run: cleanup keeps everything of the run it names until the record is repaired or
 * deleted.
 *
 * @param writer which process wrote the record, or null (Python records)
 * @param basedOn the manifest ref whose shards this run may reuse, or null
 * @param manifestStore {@code location()} of the manifest store the run publishes to, or null
 *     (unknown); cleanup through another store keeps the run's data, so one shard prefix shared
 *     by two manifest stores (a migration, a mistyped {@code --current-url}) loses nothing
 * @param writerType the Python field: "python", or "shardyfusion-jvm/&lt;engine&gt;" for ours
 * @param s3Prefix base URL of the snapshot prefix (Python's {@code s3_prefix})
 * @param manifestRef the manifest the run published, when known
 * @param errorType simple class name of the failure that ended the run, when known
 * @param key the object key the record was read from or written to (not in the document)
 * @param problem why the record could not be read, or null; then only {@code runId} and
 *     {@code key} are known and {@link #leaseLive} is true
 */
public record RunRecord(
    String runId,
    RunStatus status,
    Instant startedAt,
    Instant updatedAt,
    Instant leaseExpiresAt,
    Writer writer,
    String basedOn,
    int formatVersion,
    String manifestStore,
    String writerType,
    String s3Prefix,
    String shardPrefix,
    String dbPathTemplate,
    String manifestRef,
    String errorType,
    String errorMessage,
    String key,
    String problem) {

  public static final int FORMAT_VERSION = 1;
  /** The Python system's {@code writer_type} prefix for our writers. */
  public static final String WRITER_TYPE_PREFIX = "shardyfusion-jvm/";
  /** The Python system's {@code shard_prefix}. */
  public static final String SHARD_PREFIX = "shards";
  /** The Python system's {@code db_path_template}; our layout's {@code db=00000}. */
  public static final String DB_PATH_TEMPLATE = "db={db_id:05d}";
  /**
   * How long a writer's run stays live without renewal unless configured otherwise; also how
   * long cleanup waits before it treats a run without a record as abandoned.
   */
  public static final Duration DEFAULT_LEASE = Duration.ofHours(1);

  /** Which process wrote the record; for operators looking at a stuck run. */
  public record Writer(String host, Long pid, String engine) {}

  /** A record at {@code key} that names {@code runId} but cannot be read. */
  static RunRecord unreadable(String runId, String key, String problem) {
    return new RunRecord(runId, RunStatus.RUNNING, null, null, null, null, null, FORMAT_VERSION,
        null, null, null, null, null, null, null, null, key, problem);
  }

  /** Whether this record was read from a legacy {@code _RUN} object (JSON). */
  public boolean legacy() {
    return key != null && io.shardyfusion.layout.SnapshotLayout.isLegacyRunRecordKey(key);
  }

  /**
   * Whether the run may still be uploading: RUNNING and its lease has not expired at {@code
   * now}, or the record cannot be read (nobody can tell, so it is treated as live).
   */
  public boolean leaseLive(Instant now) {
    return problem != null || status == RunStatus.RUNNING && leaseExpiresAt.isAfter(now);
  }

  /** Whether less than half of a {@code lease} remains at {@code now}, so it is time to renew. */
  public boolean renewalDue(Instant now, Duration lease) {
    return status != RunStatus.RUNNING
        || Duration.between(now, leaseExpiresAt).compareTo(lease.dividedBy(2)) < 0;
  }

  RunRecord renewed(Instant now, Instant newLeaseExpiry) {
    return new RunRecord(runId, RunStatus.RUNNING, startedAt, now, newLeaseExpiry, writer,
        basedOn, FORMAT_VERSION, manifestStore, writerType, s3Prefix, shardPrefix,
        dbPathTemplate, null, null, null, key, null);
  }

  RunRecord finished(RunStatus newStatus, Instant now, String ref, String errType,
      String errMessage) {
    return new RunRecord(runId, newStatus, startedAt, now, now, writer, basedOn, FORMAT_VERSION,
        manifestStore, writerType, s3Prefix, shardPrefix, dbPathTemplate,
        ref != null ? ref : manifestRef, errType, errMessage, key, null);
  }
}
