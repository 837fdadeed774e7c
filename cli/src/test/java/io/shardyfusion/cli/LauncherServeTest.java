package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/shardy serve} as users run it: the real launcher subprocess serving a snapshot on
 * S3Proxy (credentials file, shared S3 options) and one on file://, over HTTP; background
 * refresh; the refresh token from the environment; SIGTERM stops it cleanly.
 */
@UsesS3Proxy
class LauncherServeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesSnapshotsThroughTheLauncher(S3ProxyServer s3) throws Exception {
    ThreeRunsOnS3 users = ThreeRunsOnS3.publish(s3, tmp);
    String local = tmp.resolve("local").toUri().toString();
    publishLocal(local, "l1");
    Launcher.Started serve = Launcher.start(tmp, Map.of("SERVE_TOKEN", "tok-123"),
        "--credentials-file", users.credentials.toString(),
        "--s3-option", "addressing_style=path", "serve", "--port", "0",
        "--current-url", local + "/_CURRENT",
        "--snapshot", "users=" + users.currentUrl(),
        "--refresh-interval", "1s", "--refresh-token-env", "SERVE_TOKEN");
    try {
      JsonNode listening = awaitLine(serve, l -> l.contains("\"listening\""));
      awaitLine(serve, l -> l.contains("\"ready\""));
      String base = "http://127.0.0.1:" + listening.get("port").asInt();
      assertThat(listening.get("url").asText()).isEqualTo(base);

      assertThat(get(base + "/v1/users/keys/5").body()).isEqualTo("r3:5");
      assertThat(get(base + "/v1/default/keys/3").body()).isEqualTo("l1:3");
      assertThat(get(base + "/v1/users/keys/abc").statusCode()).isEqualTo(400);
      assertThat(get(base + "/v1/users/keys/99").statusCode()).isEqualTo(404);
      HttpResponse<String> unknown = get(base + "/v1/nope/info");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).contains("default, users");
      assertThat(json(get(base + "/v1/users/info").body()).get("run_id").asText())
          .isEqualTo("r3");
      assertThat(json(post(base + "/v1/users/multiget", "[1, 29, 30]", null).body())
          .get("found").asInt()).isEqualTo(2);
      assertThat(get(base + "/v1/users/route/5").statusCode()).isEqualTo(200);
      assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200);
      assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
      assertThat(get(base + "/metrics").body())
          .contains("route=\"/v1/{snapshot}/keys/{key}\"").contains("jvm_memory_used_bytes")
          // The readers' own meters, tagged by snapshot: key 99 and one of the multiget's.
          .contains("shardyfusion_reader_keys_missing_total{snapshot=\"users\"} 2.0");

      assertThat(post(base + "/v1/users/refresh", "", null).statusCode()).isEqualTo(401);
      HttpResponse<String> refreshed = post(base + "/v1/users/refresh", "", "tok-123");
      assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
      assertThat(json(refreshed.body()).get("changed").asBoolean()).isFalse();

      // The background refresh (--refresh-interval 1s) picks up a new run by itself.
      publishLocal(local, "l2");
      long until = System.nanoTime() + DEADLINE.toNanos();
      while (!get(base + "/v1/default/keys/3").body().equals("l2:3")) {
        assertThat(System.nanoTime()).as("refreshed to l2 in time").isLessThan(until);
        assertThat(serve.process().isAlive()).isTrue();
        serve.process().waitFor(50, TimeUnit.MILLISECONDS); // polls an external process
      }
      // The refresh thread logs the swap after readers can already see it: wait for the line.
      while (!Files.readString(serve.err()).contains("refreshed from run l1 to run l2")) {
        assertThat(System.nanoTime()).as("the refresh logged in time: %s",
            Files.readString(serve.err())).isLessThan(until);
        serve.process().waitFor(50, TimeUnit.MILLISECONDS); // polls an external process
      }
    } finally {
      serve.process().destroy(); // SIGTERM: drain, close, exit
      assertThat(serve.process().waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(serve.out())).contains("{\"event\":\"stopped\"}");
    assertThat(Files.readString(serve.err())).doesNotContain("tok-123")
        .doesNotContain(s3.secretKey());
  }

  @Test
  void badOptionsAreUsageErrors() throws Exception {
    CliRun bad = Launcher.run(tmp, Map.of(), "", "serve", "--snapshot", "nourl");
    assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains("NAME=URL");
    CliRun noToken = Launcher.run(tmp, Map.of(), "", "serve", "--current-url",
        "file:///x/_CURRENT", "--refresh-token-env", "NOT_SET_VAR");
    assertThat(noToken.code()).isEqualTo(2);
    assertThat(noToken.err()).contains("NOT_SET_VAR");
  }

  private JsonNode awaitLine(Launcher.Started p, Predicate<String> wanted) throws Exception {
    long until = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      for (String line : Files.readAllLines(p.out())) {
        if (wanted.test(line)) {
          return json(line);
        }
      }
      assertThat(p.process().isAlive()).as("serve exited: " + Files.readString(p.err()))
          .isTrue();
      assertThat(System.nanoTime()).as("serve's line in time").isLessThan(until);
      p.process().waitFor(50, TimeUnit.MILLISECONDS); // polls an external process
    }
  }

  private static void publishLocal(String prefix, String runId) {
    Path build = Path.of(System.getProperty("java.io.tmpdir"));
    WriteConfig cfg = WriteConfig.builder().numDbs(2).s3Prefix(prefix).runId(runId)
        .tempDir(build).build();
    SnapshotWriter.writeSharded(LongStream.range(0, 10).boxed().toList(), cfg, k -> k,
        k -> (runId + ":" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }
}
