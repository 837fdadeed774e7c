package io.shardyfusion.writer.publish;

import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;

import java.time.Duration;

/**
 * The lease of one run held by the in-process writer: renewed as shards complete, at most one
 * PUT per half lease however many shards there are. Thread-safe, because shards complete on
 * I/O threads.
 *
 * <pre>{@code
 * RunLease lease = RunLease.start(records, runId, Duration.ofHours(1), "in-process", basedOn);
 * ... lease.renewIfDue();   // after each shard upload
 * }</pre>
 */
public final class RunLease {
  private final RunRecords records;
  private final Duration duration;
  private RunRecord current;

  private RunLease(RunRecords records, Duration duration, RunRecord current) {
    this.records = records;
    this.duration = duration;
    this.current = current;
  }

  /** Writes the RUNNING record; call before the run uploads anything. */
  public static RunLease start(RunRecords records, String runId, Duration duration,
      String engine, String basedOn) {
    return new RunLease(records, duration, records.start(runId, duration, engine, basedOn));
  }

  /**
   * Joins a run that other tasks may have started: makes sure its record is RUNNING (see
   * {@link RunRecords#ensureRunning}, idempotent); call before the task uploads anything.
   */
  public static RunLease join(RunRecords records, String runId, Duration duration,
      String engine, String basedOn) {
    return new RunLease(records, duration,
        records.ensureRunning(runId, duration, engine, basedOn));
  }

  /**
   * Extends the lease of the record this lease holds (the one {@code start} created or {@code
   * join} found) when less than half of it remains; otherwise does nothing.
   */
  public synchronized void renewIfDue() {
    current = records.renewIfDue(current, duration);
  }

  /** Ends the run (PUBLISHED or FAILED); see {@link RunRecords#finish}. */
  public synchronized void finish(io.shardyfusion.runs.RunStatus status) {
    finish(status, null, null);
  }

  /**
   * Ends the run in every record it has (see {@link RunRecords#finish}), saying what it
   * published or why it failed.
   *
   * @param manifestRef the published manifest, or null
   * @param failure what ended a failed run, or null
   */
  public synchronized void finish(io.shardyfusion.runs.RunStatus status, String manifestRef,
      Throwable failure) {
    current = records.finish(current.runId(), status, manifestRef,
        failure == null ? null : failure.getClass().getSimpleName(),
        failure == null ? null : failure.getMessage());
  }

  /** The record as last written. */
  public synchronized RunRecord record() {
    return current;
  }
}
