package io.shardyfusion.reader;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * What a {@link ShardedReader} measures (names, types and tags in docs/METRICS.md).
 * {@link #NONE} when no registry is configured: every call is an empty method, and {@link
 * #start()} does not even read the clock. The Micrometer implementation resolves every meter
 * once, at open, so a lookup only increments adders; the one per-call lookup left is for
 * errors, keyed by exception class.
 */
abstract class ReaderMetrics {
  /** Operations errors are counted for (the {@code operation} tag). */
  enum Op {
    GET("get"), MULTI_GET("multi_get"), REFRESH("refresh");

    final String tag;

    Op(String tag) {
      this.tag = tag;
    }
  }

  /** How a refresh ended (the {@code outcome} tag of the refresh timer). */
  enum RefreshOutcome { SWAPPED, UNCHANGED, FAILED }

  static final ReaderMetrics NONE = new ReaderMetrics() { };

  static ReaderMetrics create(MeterRegistry registry, Tags tags) {
    return registry == null ? NONE : new Micrometer(registry, tags);
  }

  /** A start time for {@link #getDone}/{@link #multiGetDone}; 0 when metrics are off. */
  long start() {
    return 0;
  }

  void getDone(long start, boolean found) { }

  void multiGetDone(long start, int requested, int found) { }

  void error(Op op, Throwable e) { }

  void refreshDone(long start, RefreshOutcome outcome) { }

  /** Called when a state starts being served (open, swap): the info gauge's run id moves. */
  void serving(String runId, String manifestRef) { }

  void shardDownloaded(long bytes) { }

  void shardReused(long bytes) { }

  void rateLimited(long waitedNanos) { }

  /** Registers the gauges that read the reader; called once, when it is open. */
  void bindGauges(Supplier<ReaderState> current, ToDoubleFunction<ReaderState> ageSeconds,
      Supplier<Integer> openShards) { }

  /** Removes this reader's meters from the registry (the reader closed). */
  void close() { }

  private static final class Micrometer extends ReaderMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    // Appended to by error() from any reading thread.
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Timer get;
    private final Timer multiGet;
    private final Counter keysRequested;
    private final Counter keysFound;
    private final Counter keysMissing;
    private final Timer refreshSwapped;
    private final Timer refreshUnchanged;
    private final Timer refreshFailed;
    private final Counter refreshAttempts;
    private final Counter refreshSwaps;
    private final Counter refreshFailures;
    private final Counter shardsDownloaded;
    private final Counter shardsReused;
    private final Counter bytesDownloaded;
    private final Counter bytesReused;
    private final Timer rateLimitWait;
    private final MultiGauge info;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    Micrometer(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
      // Lookups take microseconds: the default histogram range (1 ms..30 s) would put every one
      // in its first bucket.
      get = keep(Timer.builder("shardyfusion.reader.get.duration")
          .description("Reader get latency (one key)").tags(tags)
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(500))
          .maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
      multiGet = keep(Timer.builder("shardyfusion.reader.multi_get.duration")
          .description("Reader multiGet latency (one batch)").tags(tags)
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1000))
          .maximumExpectedValue(Duration.ofSeconds(30)).register(registry));
      keysRequested = counter("shardyfusion.reader.keys.requested",
          "Keys asked for by get and multiGet");
      keysFound = counter("shardyfusion.reader.keys.found", "Keys found in the snapshot");
      keysMissing = counter("shardyfusion.reader.keys.missing", "Keys not in the snapshot");
      refreshSwapped = refreshTimer("swapped");
      refreshUnchanged = refreshTimer("unchanged");
      refreshFailed = refreshTimer("failed");
      refreshAttempts = counter("shardyfusion.reader.refresh.attempts",
          "Refreshes that read the current pointer");
      refreshSwaps = counter("shardyfusion.reader.refresh.swaps",
          "Refreshes that swapped a new snapshot in");
      refreshFailures = counter("shardyfusion.reader.refresh.failures",
          "Refreshes that failed (the previous snapshot kept serving)");
      shardsDownloaded = counter("shardyfusion.reader.shards.downloaded",
          "Shards fetched from the store (at least one file downloaded)");
      shardsReused = counter("shardyfusion.reader.shards.reused",
          "Shards whose intact local copy was reused (nothing downloaded)");
      bytesDownloaded = keep(Counter.builder("shardyfusion.reader.downloaded").baseUnit("bytes")
          .description("Shard file bytes downloaded").tags(tags).register(registry));
      bytesReused = keep(Counter.builder("shardyfusion.reader.reused").baseUnit("bytes")
          .description("Shard file bytes found intact locally and not downloaded")
          .tags(tags).register(registry));
      rateLimitWait = keep(Timer.builder("shardyfusion.rate_limiter.wait")
          .description("Time calls waited on a rate limit (count = throttled calls)")
          .tags(tags).tag("limiter", "reader.reads").register(registry));
      info = MultiGauge.builder("shardyfusion.reader.snapshot.info")
          .description("1 for the snapshot being served; its run id and manifest ref as tags")
          .tags(tags).register(registry);
    }

    private <M extends Meter> M keep(M meter) {
      meters.add(meter);
      return meter;
    }

    private Counter counter(String name, String description) {
      return keep(Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private Timer refreshTimer(String outcome) {
      return keep(Timer.builder("shardyfusion.reader.refresh.duration")
          .description("Refresh duration (pointer read, download, verify, open)")
          .tags(tags).tag("outcome", outcome).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(30))
          .register(registry));
    }

    @Override
    long start() {
      return System.nanoTime();
    }

    @Override
    void getDone(long start, boolean found) {
      get.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      keysRequested.increment();
      (found ? keysFound : keysMissing).increment();
    }

    @Override
    void multiGetDone(long start, int requested, int found) {
      multiGet.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      keysRequested.increment(requested);
      keysFound.increment(found);
      keysMissing.increment(requested - found);
    }

    @Override
    void error(Op op, Throwable e) {
      String type = e.getClass().getSimpleName();
      // Bounded: the operations times the exception classes the reader can throw.
      errors.computeIfAbsent(op.tag + '/' + type, k -> keep(Counter
          .builder("shardyfusion.reader.errors").description("Reader calls that threw, by type")
          .tags(tags).tag("operation", op.tag).tag("type", type).register(registry)))
          .increment();
    }

    @Override
    void refreshDone(long start, RefreshOutcome outcome) {
      long nanos = System.nanoTime() - start;
      refreshAttempts.increment();
      switch (outcome) {
        case SWAPPED -> {
          refreshSwaps.increment();
          refreshSwapped.record(nanos, TimeUnit.NANOSECONDS);
        }
        case UNCHANGED -> refreshUnchanged.record(nanos, TimeUnit.NANOSECONDS);
        case FAILED -> {
          refreshFailures.increment();
          refreshFailed.record(nanos, TimeUnit.NANOSECONDS);
        }
      }
    }

    @Override
    void serving(String runId, String manifestRef) {
      // overwrite = true: the previous snapshot's row is removed, one series at a time.
      info.register(List.of(MultiGauge.Row.of(
          Tags.of("run_id", runId, "manifest_ref", manifestRef), 1)), true);
    }

    @Override
    void shardDownloaded(long bytes) {
      shardsDownloaded.increment();
      bytesDownloaded.increment(bytes);
    }

    @Override
    void shardReused(long bytes) {
      shardsReused.increment();
      bytesReused.increment(bytes);
    }

    @Override
    void rateLimited(long waitedNanos) {
      rateLimitWait.record(waitedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void bindGauges(Supplier<ReaderState> current, ToDoubleFunction<ReaderState> ageSeconds,
        Supplier<Integer> openShards) {
      // Strong references on purpose: Micrometer holds gauge targets weakly, and the supplier
      // lambdas would otherwise be collected; close() removes the gauges.
      keep(TimeGauge.builder("shardyfusion.reader.snapshot.age", () -> {
        ReaderState s = current.get();
        return s == null ? Double.NaN : ageSeconds.applyAsDouble(s);
      }, TimeUnit.SECONDS).description("Age of the served snapshot (now - its created_at)")
          .tags(tags).strongReference(true).register(registry));
      keep(Gauge.builder("shardyfusion.reader.shards.open", openShards::get)
          .description("Shard handles open (the served snapshot plus any still draining)")
          .tags(tags).strongReference(true).register(registry));
    }

    @Override
    void close() {
      info.register(List.of(), true);
      for (Meter m : meters) {
        registry.remove(m);
      }
      meters.clear();
    }
  }
}
