package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.shardyfusion.writer.WriteConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader's meters through the OTLP exporter: an {@link OtlpMeterRegistry} pushes
 * OTLP/HTTP protobuf to a collector endpoint (a JDK HttpServer here, decoding what arrives with
 * the OpenTelemetry protocol classes).
 */
class ReaderOtlpExportTest {
  @TempDir Path tmp;

  @Test
  void closingTheRegistryPushesTheReadersMeters() throws Exception {
    List<ExportMetricsServiceRequest> received = new ArrayList<>();
    HttpServer collector = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext("/v1/metrics", exchange -> {
      synchronized (received) {
        received.add(ExportMetricsServiceRequest.parseFrom(exchange.getRequestBody()));
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    try {
      WriteConfig config = TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build"));
      TestSnapshots.write(config, keys(0, 20), "r");
      Map<String, String> settings = Map.of("otlp.url", "http://127.0.0.1:"
          + collector.getAddress().getPort() + "/v1/metrics", "otlp.step", "1h");
      OtlpConfig otlpConfig = settings::get;
      OtlpMeterRegistry otlp = new OtlpMeterRegistry(otlpConfig, Clock.SYSTEM);
      try (ShardedReader reader = ShardedReader.open(TestSnapshots.readerFor(config,
          tmp.resolve("reader")).meterRegistry(otlp).build())) {
        reader.get(1L);
        reader.get(2L);
        reader.get(500L);
        otlp.close(); // pushes now; the reader still holds its meters
      }
      Map<String, Metric> metrics;
      synchronized (received) {
        metrics = received.stream()
            .flatMap(r -> r.getResourceMetricsList().stream())
            .flatMap(rm -> rm.getScopeMetricsList().stream())
            .flatMap(sm -> sm.getMetricsList().stream())
            .collect(Collectors.toMap(Metric::getName, m -> m, (a, b) -> b));
      }
      assertThat(metrics).containsKeys("shardyfusion.reader.get.duration",
          "shardyfusion.reader.keys.found", "shardyfusion.reader.snapshot.info");
      assertThat(metrics.get("shardyfusion.reader.keys.found").getSum().getDataPoints(0)
          .getAsDouble()).isEqualTo(2);
      assertThat(metrics.get("shardyfusion.reader.keys.missing").getSum().getDataPoints(0)
          .getAsDouble()).isEqualTo(1);
      assertThat(metrics.get("shardyfusion.reader.get.duration").getHistogram()
          .getDataPoints(0).getCount()).isEqualTo(3);
    } finally {
      collector.stop(0);
    }
  }
}
