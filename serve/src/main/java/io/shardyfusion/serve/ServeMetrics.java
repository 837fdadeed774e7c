package io.shardyfusion.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's own meters (the reader's come from the reader when it is given the same
 * registry). Tags are bounded: the route template (never the key), the method, the status code
 * and the snapshot name (one of the configured names, {@code _unknown} for anything else).
 *
 * <ul>
 *   <li>{@code shardy.serve.requests} (timer, percentile histogram): every answered request;
 *   <li>{@code shardy.serve.in.flight} (gauge): requests being answered;
 *   <li>{@code shardy.serve.refreshes} (counter): refresh outcomes per snapshot
 *       ({@code swapped} and {@code failed}, background or requested; {@code unchanged},
 *       requested only: the background refresher tells only swaps and failures);
 *   <li>{@code shardy.serve.snapshot.ready} and {@code shardy.serve.snapshot.age} (gauges, per
 *       snapshot, registered by the server);
 *   <li>the JVM's: memory, GC, threads, class loading, CPU, uptime.
 * </ul>
 */
final class ServeMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final ConcurrentMap<RequestTags, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> refreshes = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /** The tags of one request timer: all bounded. */
  private record RequestTags(String route, String method, int status, String snapshot) {}

  ServeMetrics(MeterRegistry registry) {
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    registry.gauge("shardy.serve.in.flight", inFlight);
  }

  MeterRegistry registry() {
    return registry;
  }

  void started() {
    inFlight.incrementAndGet();
  }

  /** One answered request, timed from its dispatch. */
  void answered(String route, String method, int status, String snapshot, long nanos) {
    inFlight.decrementAndGet();
    RequestTags tags = new RequestTags(route, method, status, snapshot);
    // The cache saves building a meter id on every request of the hot path.
    timers.computeIfAbsent(tags, t -> Timer.builder("shardy.serve.requests")
        .description("HTTP requests answered, by route template, method, status and snapshot")
        .tag("route", t.route()).tag("method", t.method())
        .tag("status", Integer.toString(t.status())).tag("snapshot", t.snapshot())
        .publishPercentileHistogram().register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void refreshed(String snapshot, String outcome) {
    refreshes.computeIfAbsent(snapshot + '\0' + outcome, k -> Counter.builder(
            "shardy.serve.refreshes")
        .description("Refreshes of a served snapshot by outcome (swapped, unchanged, failed)")
        .tag("snapshot", snapshot).tag("outcome", outcome).register(registry)).increment();
  }

  @Override
  public void close() {
    gc.close();
  }
}
