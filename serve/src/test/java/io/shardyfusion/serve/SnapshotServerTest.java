package io.shardyfusion.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.BuildResult;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of a running server over real HTTP (the JDK client), on two snapshots written
 * with the in-process writer to file://: "users" (u64be, keys 0..99) and "names" (utf8).
 */
@IntegrationTest
class SnapshotServerTest {
  @TempDir static Path tmp;
  static Published users;
  static Published names;
  static BuildResult usersRun;
  static SnapshotServer server;
  static Http http;

  static final List<String> NAMES = List.of("alice", "bob", "a/b", "x+y", "ünï");

  @BeforeAll
  static void start() throws Exception {
    users = Published.local(tmp, "users", KeyEncoding.U64BE);
    usersRun = users.publish("r1", LongStream.range(0, 100).boxed().toList());
    names = Published.local(tmp, "names", KeyEncoding.UTF8);
    names.publish("n1", NAMES);
    server = SnapshotServer.builder().port(0).maxBodyBytes(4096).maxMultiGetKeys(50)
        .snapshot("users", users.currentUrl(), users.opener("users"))
        .snapshot("names", names.currentUrl(), names.opener("names"))
        .build().start();
    assertThat(server.awaitReady(Duration.ofMinutes(1))).isTrue();
    http = new Http(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void getAnswersTheValueBytes() {
    Http.Answer a = http.get("/v1/users/keys/42");
    assertThat(a.status()).as(a.toString()).isEqualTo(200);
    assertThat(a.contentType()).isEqualTo("application/octet-stream");
    assertThat(a.text()).isEqualTo("r1:42");
  }

  @Test
  void getAnswersJsonWhenAsked() {
    JsonNode j = http.get("/v1/users/keys/7", "Accept", "application/json").json();
    assertThat(j.get("key").asLong()).isEqualTo(7);
    assertThat(j.get("found").asBoolean()).isTrue();
    assertThat(new String(java.util.Base64.getDecoder().decode(j.get("value").asText()),
        StandardCharsets.UTF_8)).isEqualTo("r1:7");
    assertThat(j.get("value_encoding").asText()).isEqualTo("base64");
  }

  @Test
  void utf8KeysArePercentDecodedFromThePath() {
    assertThat(http.get("/v1/names/keys/alice").text()).isEqualTo("n1:alice");
    assertThat(http.get("/v1/names/keys/a%2Fb").text()).isEqualTo("n1:a/b");
    assertThat(http.get("/v1/names/keys/x+y").text()).isEqualTo("n1:x+y");
    assertThat(http.get("/v1/names/keys/%C3%BCn%C3%AF").text()).isEqualTo("n1:ünï");
  }

  @Test
  void missingKeyIs404() {
    Http.Answer a = http.get("/v1/users/keys/100");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.json().get("error").asText()).isEqualTo("key_not_found");
    assertThat(a.json().get("message").asText()).contains("100").contains("users");
  }

  @Test
  void badKeyIs400NamingTheEncoding() {
    Http.Answer a = http.get("/v1/users/keys/abc");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.contentType()).isEqualTo("application/json");
    assertThat(a.json().get("error").asText()).isEqualTo("bad_key");
    assertThat(a.json().get("message").asText()).contains("'abc'").contains("u64be");
    assertThat(http.get("/v1/users/keys/-1").status()).isEqualTo(400);
    assertThat(http.get("/v1/users/route/18446744073709551616").status()).isEqualTo(400);
  }

  @Test
  void unknownSnapshotIs404NamingTheServedOnes() {
    Http.Answer a = http.get("/v1/nope/keys/1");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.json().get("error").asText()).isEqualTo("unknown_snapshot");
    assertThat(a.json().get("message").asText()).contains("'nope'").contains("users, names");
    assertThat(http.get("/v1/snapshots").json().get("snapshots").toString())
        .isEqualTo("[\"users\",\"names\"]");
  }

  @Test
  void unknownPathsAndWrongMethods() {
    assertThat(http.get("/v2/users/keys/1").status()).isEqualTo(404);
    assertThat(http.get("/v1/users/values/1").status()).isEqualTo(404);
    assertThat(http.get("/v1/users/keys").status()).isEqualTo(404);
    assertThat(http.post("/v1/users/keys/1", "").status()).isEqualTo(405);
    assertThat(http.get("/v1/users/multiget").status()).isEqualTo(405);
    assertThat(http.get("/v1/_floor/keys/1").status()).as("floor is off").isEqualTo(404);
  }

  @Test
  void multiGetAnswersEveryKeyInOrder() {
    JsonNode j = http.post("/v1/users/multiget", "[3, \"4\", 1000, 3]").json();
    assertThat(j.get("found").asInt()).isEqualTo(3);
    assertThat(j.get("missing").asInt()).isEqualTo(1);
    JsonNode r = j.get("results");
    assertThat(r).hasSize(4);
    assertThat(r.get(0).get("key").asLong()).isEqualTo(3);
    assertThat(decoded(r.get(1))).isEqualTo("r1:4");
    assertThat(r.get(2).get("found").asBoolean()).isFalse();
    assertThat(r.get(2).has("value")).isFalse();
    assertThat(decoded(r.get(3))).isEqualTo("r1:3");
    JsonNode named = http.post("/v1/names/multiget", "{\"keys\": [\"bob\", \"a/b\"]}").json();
    assertThat(decoded(named.get("results").get(1))).isEqualTo("n1:a/b");
  }

  @Test
  void badMultiGetBodiesAre400() {
    Http.Answer notJson = http.post("/v1/users/multiget", "[1, 2");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().get("message").asText()).contains("not JSON");
    assertThat(http.post("/v1/users/multiget", "{\"k\": 1}").status()).isEqualTo(400);
    assertThat(http.post("/v1/users/multiget", "").status()).isEqualTo(400);
    Http.Answer badKey = http.post("/v1/users/multiget", "[1, \"x\"]");
    assertThat(badKey.status()).isEqualTo(400);
    assertThat(badKey.json().get("message").asText()).contains("index 1");
    assertThat(http.post("/v1/users/multiget", "[1.5]").status()).isEqualTo(400);
  }

  @Test
  void largeBodiesAre413() {
    String big = IntStream.range(0, 2000).mapToObj(Integer::toString)
        .collect(Collectors.joining(",", "[", "]"));
    Http.Answer declared = http.post("/v1/users/multiget", big);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.json().get("message").asText()).contains("--max-body-bytes");
    // Chunked (no Content-Length): counted while read.
    Http.Answer chunked = http.send(http.request("/v1/users/multiget").POST(
        HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
            big.getBytes(StandardCharsets.UTF_8)))).build());
    assertThat(chunked.status()).isEqualTo(413);
    String manyKeys = IntStream.range(0, 51).mapToObj(Integer::toString)
        .collect(Collectors.joining(",", "[", "]"));
    Http.Answer tooMany = http.post("/v1/users/multiget", manyKeys);
    assertThat(tooMany.status()).isEqualTo(413);
    assertThat(tooMany.json().get("message").asText()).contains("--max-multiget-keys");
  }

  @Test
  void routeIsTheWritersShard() {
    var m = usersRun;
    var router = ShardRouters.create(io.shardyfusion.routing.ShardingSpec.hash(), 4,
        KeyEncoding.U64BE);
    for (long k : new long[] {0, 1, 42, 99}) {
      JsonNode j = http.get("/v1/users/route/" + k).json();
      assertThat(j.get("db_id").asInt()).as("key " + k).isEqualTo(router.route(k));
      assertThat(j.get("key").asLong()).isEqualTo(k);
    }
    assertThat(m.manifestRef()).isNotNull();
  }

  @Test
  void infoDescribesTheServedSnapshot() {
    JsonNode j = http.get("/v1/users/info").json();
    assertThat(j.get("run_id").asText()).isEqualTo("r1");
    assertThat(j.get("manifest_ref").asText()).isEqualTo(usersRun.manifestRef());
    assertThat(j.get("num_dbs").asInt()).isEqualTo(4);
    assertThat(j.get("rows").asLong()).isEqualTo(100);
    assertThat(j.get("key_encoding").asText()).isEqualTo("u64be");
    assertThat(j.get("current_url").asText()).isEqualTo(users.currentUrl());
    assertThat(j.get("age_seconds").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(http.get("/v1/names/info").json().get("key_encoding").asText())
        .isEqualTo("utf8");
  }

  @Test
  void healthEndpoints() {
    assertThat(http.get("/health/live").json().get("status").asText()).isEqualTo("live");
    Http.Answer ready = http.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("snapshots").get("users").get("run_id").asText())
        .isEqualTo("r1");
  }

  @Test
  void metricsArePrometheusTextPerRouteTemplateNeverPerKey() {
    http.get("/v1/users/keys/12345678");
    http.get("/v1/users/keys/notakey987");
    http.get("/v1/nope/keys/1");
    Http.Answer m = http.get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.contentType()).startsWith("text/plain");
    String text = m.text();
    assertThat(text).contains("shardy_serve_requests_seconds_count{method=\"GET\","
        + "route=\"/v1/{snapshot}/keys/{key}\",snapshot=\"users\",status=\"404\"}");
    assertThat(text).contains("route=\"/v1/{snapshot}/keys/{key}\",snapshot=\"users\","
        + "status=\"400\"");
    assertThat(text).contains("snapshot=\"_unknown\"");
    assertThat(text).contains("shardy_serve_requests_seconds_bucket");
    assertThat(text).contains("jvm_memory_used_bytes").contains("jvm_threads_live_threads");
    assertThat(text).contains("shardy_serve_snapshot_ready{snapshot=\"users\"} 1");
    assertThat(text).doesNotContain("12345678").doesNotContain("notakey987");
  }

  private static String decoded(JsonNode row) {
    return new String(java.util.Base64.getDecoder().decode(row.get("value").asText()),
        StandardCharsets.UTF_8);
  }
}
