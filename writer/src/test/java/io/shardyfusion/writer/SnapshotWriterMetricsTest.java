package io.shardyfusion.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.testing.MetricsEndpoint;
import io.shardyfusion.testing.MetricsEndpoint.Scrape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process writer's meters, scraped over HTTP from a real Prometheus registry: each
 * write, a write that reuses every shard, a failed write and a rate-limited one move them.
 */
class SnapshotWriterMetricsTest {
  @TempDir Path tmp;

  private WriteConfig config() {
    return WriteConfig.builder().numDbs(4).s3Prefix(tmp.resolve("store").toUri().toString())
        .tempDir(tmp.resolve("build")).build();
  }

  private static byte[] value(long k) {
    return ("v" + k).getBytes(StandardCharsets.UTF_8);
  }

  private static long recordBytes(List<Long> keys) {
    // u64be keys are 8 bytes; values "v" + k
    return keys.stream().mapToLong(k -> 8 + value(k).length).sum();
  }

  private static long uploaded(BuildResult r) {
    return r.winners().stream().flatMap(w -> w.files().stream()).mapToLong(ShardFile::size)
        .sum();
  }

  @Test
  void metersMoveWithEachWrite() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    WriteOptions options = WriteOptions.defaults()
        .withMeterRegistry(prometheus, Tags.of("snapshot", "users"));
    List<Long> keys = LongStream.range(0, 5000).boxed().toList();
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(prometheus::scrape)) {
      BuildResult first = SnapshotWriter.writeSharded(keys, config(), k -> k,
          SnapshotWriterMetricsTest::value, options);
      int shards = first.winners().size();
      Scrape s = endpoint.scrape();
      assertThat(s.require("shardyfusion_writes_started_total", "snapshot", "users")).isEqualTo(1);
      assertThat(s.require("shardyfusion_writes_completed_total")).isEqualTo(1);
      assertThat(s.require("shardyfusion_writes_failed_total")).isZero();
      assertThat(s.require("shardyfusion_write_duration_seconds_count")).isEqualTo(1);
      assertThat(s.require("shardyfusion_writer_rows_routed_total")).isEqualTo(5000);
      assertThat(s.require("shardyfusion_writer_routed_bytes_total"))
          .isEqualTo(recordBytes(keys));
      assertThat(s.require("shardyfusion_writer_rows_written_total")).isEqualTo(5000);
      assertThat(s.require("shardyfusion_writer_written_bytes_total"))
          .isEqualTo(first.stats().bytesWritten()).isEqualTo(recordBytes(keys));
      assertThat(s.require("shardyfusion_shard_writes_completed_total")).isEqualTo(shards);
      assertThat(s.require("shardyfusion_shard_write_duration_seconds_count")).isEqualTo(shards);
      assertThat(s.require("shardyfusion_writer_uploaded_bytes_total"))
          .isEqualTo(uploaded(first)).isPositive();
      assertThat(s.require("shardyfusion_writer_shards_reused_total")).isZero();
      assertThat(s.require("shardyfusion_writer_phase_duration_seconds_count", "phase",
          "route_sort")).isEqualTo(1);
      assertThat(s.require("shardyfusion_writer_phase_duration_seconds_count", "phase",
          "build")).isEqualTo(shards);
      assertThat(s.require("shardyfusion_writer_phase_duration_seconds_count", "phase",
          "upload")).isEqualTo(shards);
      assertThat(s.require("shardyfusion_writer_phase_duration_seconds_count", "phase",
          "publish")).isEqualTo(1);
      assertThat(s.require("shardyfusion_s3_retries_total")).as("a file:// store").isZero();

      // The same records again: every shard reused, nothing uploaded.
      BuildResult second = SnapshotWriter.writeSharded(keys, config(), k -> k,
          SnapshotWriterMetricsTest::value, options);
      s = endpoint.scrape();
      assertThat(s.require("shardyfusion_writes_completed_total")).isEqualTo(2);
      assertThat(s.require("shardyfusion_writer_shards_reused_total"))
          .isEqualTo(second.winners().size());
      assertThat(s.require("shardyfusion_writer_uploaded_bytes_total"))
          .isEqualTo(uploaded(first));

      // A failed write: counted as failed, not completed.
      assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(10L, 11L, 10L), config(),
          k -> k, SnapshotWriterMetricsTest::value, options))
          .isInstanceOf(DuplicateKeyException.class);
      s = endpoint.scrape();
      assertThat(s.require("shardyfusion_writes_started_total")).isEqualTo(3);
      assertThat(s.require("shardyfusion_writes_failed_total")).isEqualTo(1);
      assertThat(s.require("shardyfusion_writes_completed_total")).isEqualTo(2);
      assertThat(s.require("shardyfusion_write_duration_seconds_count")).isEqualTo(3);
    }
  }

  @Test
  void rateLimitWaitsAreTimedPerLimiter() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The bucket starts empty: 200 records at 2000/s wait about 0.1 s in all.
    WriteOptions options = WriteOptions.defaults().withMaxWritesPerSecond(2000)
        .withMeterRegistry(prometheus);
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(prometheus::scrape)) {
      SnapshotWriter.writeSharded(LongStream.range(0, 200).boxed().toList(), config(), k -> k,
          SnapshotWriterMetricsTest::value, options);
      Scrape s = endpoint.scrape();
      assertThat(s.require("shardyfusion_rate_limiter_wait_seconds_count", "limiter",
          "writer.rows")).isPositive();
      assertThat(s.require("shardyfusion_rate_limiter_wait_seconds_sum", "limiter",
          "writer.rows")).isPositive();
      assertThat(s.require("shardyfusion_rate_limiter_wait_seconds_count", "limiter",
          "writer.bytes")).as("no bytes limit").isZero();
    }
  }
}
