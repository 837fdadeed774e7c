package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.testing.MetricsEndpoint;
import io.shardyfusion.testing.MetricsEndpoint.Scrape;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader's meters, read the way Prometheus reads them: a real registry's scrape served over
 * HTTP and fetched with the JDK client, after each operation. Every meter of the catalog
 * (docs/METRICS.md) must move when its operation happens.
 */
class ReaderMetricsTest {
  private static final String[] TAG = {"snapshot", "users"};

  @TempDir Path tmp;

  private WriteConfig config() {
    return TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build")).toBuilder()
        .manifestFormat("json").build();
  }

  private static String[] tagged(String... pairs) {
    String[] out = new String[pairs.length + 2];
    out[0] = TAG[0];
    out[1] = TAG[1];
    System.arraycopy(pairs, 0, out, 2, pairs.length);
    return out;
  }

  private static double v(Scrape s, String name, String... pairs) {
    return s.require(name, tagged(pairs));
  }

  private static long fileBytes(List<ShardMeta> shards) {
    return shards.stream().flatMap(m -> m.files().stream()).mapToLong(ShardFile::size).sum();
  }

  @Test
  void metersMoveAsTheReaderServesRefreshesAndFails() throws Exception {
    WriteConfig config = config();
    BuildResult run1 = TestSnapshots.write(config.toBuilder().runId("run1").build(),
        keys(0, 100), "run1");
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(prometheus::scrape);
        ShardedReader reader = ShardedReader.open(TestSnapshots.readerFor(config,
            tmp.resolve("reader")).meterRegistry(prometheus)
            .meterTags(Tags.of(TAG[0], TAG[1])).build())) {
      int shards = run1.winners().size();
      Scrape s = endpoint.scrape();
      assertThat(v(s, "shardyfusion_reader_snapshot_info", "run_id", "run1",
          "manifest_ref", run1.manifestRef())).isEqualTo(1);
      assertThat(v(s, "shardyfusion_reader_shards_open")).isEqualTo(shards);
      assertThat(v(s, "shardyfusion_reader_shards_downloaded_total")).isEqualTo(shards);
      assertThat(v(s, "shardyfusion_reader_downloaded_bytes_total"))
          .isEqualTo(fileBytes(run1.winners())).isPositive();
      assertThat(v(s, "shardyfusion_reader_shards_reused_total")).isZero();
      assertThat(v(s, "shardyfusion_reader_snapshot_age_seconds")).isBetween(0.0, 3600.0);
      assertThat(v(s, "shardyfusion_reader_get_duration_seconds_count")).isZero();

      // gets: one hit, two misses
      assertThat(reader.get(5L)).isNotNull();
      assertThat(reader.get(1000L)).isNull();
      assertThat(reader.get(1001L)).isNull();
      // one multiGet: two hits, one miss
      assertThat(reader.multiGet(List.of(1L, 2L, 500L))).hasSize(3);
      s = endpoint.scrape();
      assertThat(v(s, "shardyfusion_reader_get_duration_seconds_count")).isEqualTo(3);
      assertThat(v(s, "shardyfusion_reader_get_duration_seconds_sum")).isPositive();
      assertThat(v(s, "shardyfusion_reader_get_duration_seconds_bucket", "le", "+Inf"))
          .as("a histogram Prometheus can aggregate").isEqualTo(3);
      assertThat(s.find("shardyfusion_reader_get_duration_seconds_bucket", tagged()))
          .as("buckets below a millisecond, where lookups are").hasSizeGreaterThan(10)
          .anySatisfy(b -> assertThat(Double.parseDouble(b.labels().get("le")))
              .isLessThan(1e-5));
      assertThat(v(s, "shardyfusion_reader_multi_get_duration_seconds_count")).isEqualTo(1);
      assertThat(v(s, "shardyfusion_reader_keys_requested_total")).isEqualTo(6);
      assertThat(v(s, "shardyfusion_reader_keys_found_total")).isEqualTo(3);
      assertThat(v(s, "shardyfusion_reader_keys_missing_total")).isEqualTo(3);

      // errors, by operation and type
      assertThatThrownBy(() -> reader.get("not a number"))
          .isInstanceOf(KeyValidationException.class);
      s = endpoint.scrape();
      assertThat(s.find("shardyfusion_reader_errors_total", tagged("operation", "get")))
          .singleElement().satisfies(e -> {
            assertThat(e.value()).isEqualTo(1);
            assertThat(e.labels()).containsEntry("type", "KeyValidationException");
          });

      // a refresh that finds nothing new
      assertThat(reader.refresh()).isFalse();
      s = endpoint.scrape();
      assertThat(v(s, "shardyfusion_reader_refresh_attempts_total")).isEqualTo(1);
      assertThat(v(s, "shardyfusion_reader_refresh_swaps_total")).isZero();
      assertThat(v(s, "shardyfusion_reader_refresh_duration_seconds_count",
          "outcome", "unchanged")).isEqualTo(1);

      // a swap to new data: everything downloaded again, one info series, the new run id
      BuildResult run2 = TestSnapshots.write(config.toBuilder().runId("run2").build(),
          keys(0, 100), "run2");
      assertThat(reader.refresh()).isTrue();
      s = endpoint.scrape();
      assertThat(v(s, "shardyfusion_reader_refresh_swaps_total")).isEqualTo(1);
      assertThat(v(s, "shardyfusion_reader_refresh_duration_seconds_count", "outcome",
          "swapped")).isEqualTo(1);
      assertThat(s.find("shardyfusion_reader_snapshot_info", tagged()))
          .as("one series at a time").singleElement()
          .satisfies(i -> assertThat(i.labels()).containsEntry("run_id", "run2"));
      assertThat(v(s, "shardyfusion_reader_shards_downloaded_total"))
          .isEqualTo(shards + run2.winners().size());
      reader.awaitHousekeeping();
      assertThat(endpoint.scrape().require("shardyfusion_reader_shards_open", TAG))
          .as("run1's handles closed after the swap").isEqualTo(run2.winners().size());

      // the same data again: the writer points at run2's files, the reader reuses them
      BuildResult run3 = TestSnapshots.write(config.toBuilder().runId("run3").build(),
          keys(0, 100), "run2");
      assertThat(reader.refresh()).isTrue();
      s = endpoint.scrape();
      assertThat(v(s, "shardyfusion_reader_shards_reused_total"))
          .isEqualTo(run3.winners().size());
      assertThat(v(s, "shardyfusion_reader_reused_bytes_total"))
          .isEqualTo(fileBytes(run3.winners()));
      assertThat(v(s, "shardyfusion_reader_shards_downloaded_total"))
          .as("nothing downloaded for an unchanged snapshot")
          .isEqualTo(shards + run2.winners().size());

      // a failed refresh: counted, typed, and the info gauge still names the served run
      BuildResult run4 = TestSnapshots.write(config.toBuilder().runId("run4").build(),
          keys(0, 50), "run4");
      LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
      store.put(store.keyOf(run4.manifestRef()),
          "{\"required\": [garbage".getBytes(StandardCharsets.UTF_8),
          ManifestCodec.JSON_CONTENT_TYPE);
      assertThatThrownBy(reader::refresh).isInstanceOf(ManifestParseException.class);
      s = endpoint.scrape();
      assertThat(v(s, "shardyfusion_reader_refresh_failures_total")).isEqualTo(1);
      assertThat(v(s, "shardyfusion_reader_refresh_attempts_total")).isEqualTo(4);
      assertThat(v(s, "shardyfusion_reader_refresh_duration_seconds_count", "outcome",
          "failed")).isEqualTo(1);
      assertThat(v(s, "shardyfusion_reader_errors_total", "operation", "refresh", "type",
          "ManifestParseException")).isEqualTo(1);
      assertThat(s.find("shardyfusion_reader_snapshot_info", tagged())).singleElement()
          .satisfies(i -> assertThat(i.labels()).containsEntry("run_id", "run3"));

      reader.close();
      assertThat(endpoint.scrape().samples())
          .as("a closed reader leaves no meters behind")
          .noneMatch(x -> x.name().startsWith("shardyfusion_reader"));
    }
  }

  @Test
  void rateLimitWaitsAreCounted() throws Exception {
    WriteConfig config = config();
    TestSnapshots.write(config, keys(0, 10), "r");
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // A bucket of 2000 keys/s holds at most 2000: a batch of 2500 must wait (~0.25 s).
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(prometheus::scrape);
        ShardedReader reader = ShardedReader.open(TestSnapshots.readerFor(config,
            tmp.resolve("reader")).meterRegistry(prometheus).maxReadsPerSecond(2000).build())) {
      List<Long> batch = new ArrayList<>();
      for (long i = 0; i < 2500; i++) {
        batch.add(i % 20);
      }
      reader.multiGetList(batch);
      Scrape s = endpoint.scrape();
      assertThat(s.require("shardyfusion_rate_limiter_wait_seconds_count", "limiter",
          "reader.reads")).isEqualTo(1);
      assertThat(s.require("shardyfusion_rate_limiter_wait_seconds_sum", "limiter",
          "reader.reads")).isPositive();
      assertThat(s.require("shardyfusion_reader_keys_requested_total")).isEqualTo(2500);
      assertThat(s.require("shardyfusion_reader_keys_found_total")).isEqualTo(1250);
    }
  }
}
