package io.shardyfusion.writer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the in-process {@link SnapshotWriter} measures (names, types and tags in
 * docs/METRICS.md; the Python system's writer metrics where one exists). {@link #NONE} when
 * {@link WriteOptions#meterRegistry()} is null. Meters are resolved once per write; records
 * are counted in batches, so routing pays for an adder only every {@link #FLUSH_EVERY} records.
 */
class WriterMetrics {
  static final int FLUSH_EVERY = 4096;

  /** The phases of a write: the {@code phase} tag of {@code shardyfusion.writer.phase.duration}. */
  enum Phase {
    ROUTE_SORT("route_sort"), BUILD("build"), UPLOAD("upload"), PUBLISH("publish");

    final String tag;

    Phase(String tag) {
      this.tag = tag;
    }
  }

  static final WriterMetrics NONE = new WriterMetrics();

  static WriterMetrics create(MeterRegistry registry, Tags tags) {
    return registry == null ? NONE : new Micrometer(registry, tags);
  }

  /** A start time for {@link #phaseDone}; 0 when metrics are off. */
  long start() {
    return 0;
  }

  void writeStarted() { }

  void writeDone(long start, boolean published) { }

  void routed(long rows, long bytes) { }

  void phaseDone(Phase phase, long start) { }

  /** One shard built and uploaded (or reused); {@code uploadedBytes} 0 when reused. */
  void shardDone(long start, boolean reused, long uploadedBytes) { }

  void written(long rows, long bytes) { }

  /** The records/s limit made a call wait. */
  void rowsLimited(long waitedNanos) { }

  /** The bytes/s limit made a call wait. */
  void bytesLimited(long waitedNanos) { }

  void s3Retries(long n) { }

  private static final class Micrometer extends WriterMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter writesStarted;
    private final Counter writesCompleted;
    private final Counter writesFailed;
    private final Timer writeDuration;
    private final Counter rowsRouted;
    private final Counter bytesRouted;
    private final Counter rowsWritten;
    private final Counter bytesWritten;
    private final Timer[] phases = new Timer[Phase.values().length];
    private final Counter shardsCompleted;
    private final Timer shardDuration;
    private final Counter shardsReused;
    private final Counter bytesUploaded;
    private final Counter s3Retries;
    private final Timer rowsWait;
    private final Timer bytesWait;

    Micrometer(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
      writesStarted = counter("shardyfusion.writes.started", null, "Write operations started");
      writesCompleted = counter("shardyfusion.writes.completed", null,
          "Write operations that published a snapshot");
      writesFailed = counter("shardyfusion.writes.failed", null,
          "Write operations that failed (nothing published)");
      writeDuration = timer("shardyfusion.write.duration", "Write operation duration",
          Tags.empty());
      rowsRouted = counter("shardyfusion.writer.rows.routed", null,
          "Records routed to a shard and sorted");
      bytesRouted = counter("shardyfusion.writer.routed", "bytes",
          "Key + value bytes routed to a shard and sorted");
      rowsWritten = counter("shardyfusion.writer.rows.written", null,
          "Records in published snapshots");
      bytesWritten = counter("shardyfusion.writer.written", "bytes",
          "Key + value bytes in published snapshots");
      for (Phase p : Phase.values()) {
        phases[p.ordinal()] = timer("shardyfusion.writer.phase.duration",
            "Time in each phase: route_sort and publish once per write, build and upload once "
                + "per shard", Tags.of("phase", p.tag));
      }
      shardsCompleted = counter("shardyfusion.shard_writes.completed", null,
          "Shards built and uploaded (or reused unchanged)");
      shardDuration = timer("shardyfusion.shard_write.duration",
          "One shard: build and upload", Tags.empty());
      shardsReused = counter("shardyfusion.writer.shards.reused", null,
          "Shards identical to the previous snapshot's: not uploaded, its files reused");
      bytesUploaded = counter("shardyfusion.writer.uploaded", "bytes", "Shard file bytes uploaded");
      s3Retries = counter("shardyfusion.s3.retries", null,
          "Requests to S3 the SDK retried (throttling, 5xx, timeouts, I/O)");
      rowsWait = waitTimer("writer.rows");
      bytesWait = waitTimer("writer.bytes");
    }

    private Timer waitTimer(String limiter) {
      return Timer.builder("shardyfusion.rate_limiter.wait")
          .description("Time calls waited on a rate limit (count = throttled calls)")
          .tags(tags).tag("limiter", limiter).register(registry);
    }

    private Counter counter(String name, String unit, String description) {
      return Counter.builder(name).baseUnit(unit).description(description).tags(tags)
          .register(registry);
    }

    private Timer timer(String name, String description, Tags extra) {
      return Timer.builder(name).description(description).tags(tags).tags(extra)
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofHours(2)).register(registry);
    }

    @Override
    long start() {
      return System.nanoTime();
    }

    @Override
    void writeStarted() {
      writesStarted.increment();
    }

    @Override
    void writeDone(long start, boolean published) {
      writeDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      (published ? writesCompleted : writesFailed).increment();
    }

    @Override
    void routed(long rows, long bytes) {
      rowsRouted.increment(rows);
      bytesRouted.increment(bytes);
    }

    @Override
    void phaseDone(Phase phase, long start) {
      phases[phase.ordinal()].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    @Override
    void shardDone(long start, boolean reused, long uploadedBytes) {
      shardsCompleted.increment();
      shardDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      if (reused) {
        shardsReused.increment();
      }
      bytesUploaded.increment(uploadedBytes);
    }

    @Override
    void written(long rows, long bytes) {
      rowsWritten.increment(rows);
      bytesWritten.increment(bytes);
    }

    @Override
    void rowsLimited(long waitedNanos) {
      rowsWait.record(waitedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void bytesLimited(long waitedNanos) {
      bytesWait.record(waitedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void s3Retries(long n) {
      s3Retries.increment(n);
    }
  }
}
