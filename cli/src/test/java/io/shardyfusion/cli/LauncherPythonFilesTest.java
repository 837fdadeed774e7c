package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python CLI's files through the real {@code bin/shardy}: an exec script in its format
 * (commands:, routing_context, on_error), reader.toml via $SHARDY_CONFIG, credentials.toml with
 * every per-profile setting (and bad values refused, naming the key), health's exit codes,
 * {@code get --strict}, {@code --routing-context} on the command line, and a snapshot the
 * Python system wrote (golden, served by S3Proxy).
 */
@UsesS3Proxy
class LauncherPythonFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path GOLDEN = Path.of("..", "interop", "python-snapshots")
      .toAbsolutePath().normalize();

  @TempDir static Path tmp;
  static String plainUrl;
  static String celUrl;
  static S3ProxyServer s3;

  /** Region/tier routing: eu → 0, else tier > 2 → 1, else 2. */
  static final ShardingSpec REGION_TIER = ShardingSpec.celColumns(
      "region == 'eu' ? 0 : (tier > 2 ? 1 : 2)", Map.of("region", "string", "tier", "int"));

  @BeforeAll
  static void publish(S3ProxyServer server) throws IOException {
    s3 = server;
    Path plain = tmp.resolve("plain");
    SnapshotWriter.writeSharded(LongStream.range(0, 10).boxed().toList(),
        WriteConfig.builder().numDbs(3).s3Prefix(plain.toUri().toString())
            .tempDir(tmp.resolve("build")).runId("plain").build(), k -> k,
        k -> ("v-" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
    plainUrl = plain.toUri() + "_CURRENT";
    Path cel = tmp.resolve("cel");
    // Key k is written with region eu when k % 3 == 0, else us, and tier k % 5.
    SnapshotWriter.writeSharded(LongStream.range(0, 30).boxed().toList(),
        WriteConfig.builder().sharding(REGION_TIER).numDbs(3).s3Prefix(cel.toUri().toString())
            .tempDir(tmp.resolve("build")).runId("cel").build(), k -> k,
        k -> ("v-" + k).getBytes(StandardCharsets.UTF_8),
        k -> Map.of("region", k % 3 == 0 ? "eu" : "us", "tier", k % 5),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
    celUrl = cel.toUri() + "_CURRENT";
    s3.serveDirectoryAsBucket("golden", GOLDEN.resolve("golden"));
  }

  static CliRun shardy(Map<String, String> env, String... args) throws Exception {
    return Launcher.run(tmp, env, "", args);
  }

  static Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    return p;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static List<JsonNode> jsonLines(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> {
      try {
        return JSON.readTree(l);
      } catch (IOException e) {
        throw new AssertionError(l, e);
      }
    }).toList();
  }

  @Test
  void pythonExecScriptWithRoutingContextAndOnErrorContinue() throws Exception {
    String commands = """
        commands:
          - {op: get, key: 3, routing_context: {region: eu, tier: 3}}
          - {op: get, key: 3, routing_context: {region: us, tier: 4}}
          - {op: get}
          - {op: route, key: 4, routing_context: {region: us, tier: 4}}
          - {op: multiget, keys: [1, 2, 5], routing_context: {region: us, tier: 1}}
          - {op: bogus}
          - {op: health}
        """;
    Path script = write("py-continue.yaml", "on_error: continue\n" + commands);
    Path out = tmp.resolve("py-continue.jsonl");
    CliRun r = shardy(Map.of("SHARDY_CURRENT", celUrl), "exec", "--script", script.toString(),
        "--output", out.toString());
    assertThat(r.code()).as("two commands failed: " + r).isEqualTo(1);
    assertThat(r.out()).as("results go to --output").isEmpty();
    List<JsonNode> lines = jsonLines(out);
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0).toString()).isEqualTo(
        "{\"op\":\"get\",\"key\":\"3\",\"found\":true,\"value\":\"" + b64("v-3") + "\"}");
    assertThat(lines.get(1).toString()).as("routed to another shard: a miss, not an error")
        .isEqualTo("{\"op\":\"get\",\"key\":\"3\",\"found\":false,\"value\":\"null\"}");
    assertThat(lines.get(2).get("op").asText()).isEqualTo("get");
    assertThat(lines.get(2).get("error").asText()).contains("requires a 'key' field");
    assertThat(lines.get(3).toString()).isEqualTo("{\"op\":\"route\",\"key\":\"4\",\"db_id\":1}");
    // 1 and 2 are us with tier 1 and 2 (shard 2): found; 5 is us tier 0 (shard 2) too.
    assertThat(lines.get(4).get("results")).extracting(n -> n.get("key").asText() + "="
        + n.get("found").asBoolean() + ":" + n.path("value").asText(""))
        .containsExactly("1=true:" + b64("v-1"), "2=true:" + b64("v-2"),
            "5=true:" + b64("v-5"));
    assertThat(lines.get(5).get("error").asText()).contains("Unknown op: 'bogus'");
    assertThat(lines.get(6).get("op").asText()).isEqualTo("health");
    assertThat(lines.get(6).get("status").asText()).isEqualTo("healthy");

    Path stop = write("py-stop.yaml", "on_error: stop\n" + commands);
    CliRun stopped = shardy(Map.of("SHARDY_CURRENT", celUrl), "exec", "--script",
        stop.toString());
    assertThat(stopped.code()).isEqualTo(1);
    assertThat(stopped.jsonl()).as("stdout; ends at the first failed command").hasSize(3);
  }

  @Test
  void routingContextOnTheCommandLine() throws Exception {
    Map<String, String> env = Map.of("SHARDY_CURRENT", celUrl);
    CliRun route = shardy(env, "route", "4", "--routing-context", "region=us",
        "--routing-context", "tier=4");
    assertThat(route.code()).as(route.toString()).isZero();
    assertThat(route.jsonl().get(0).get("db_id").asInt()).isEqualTo(1);
    CliRun get = shardy(env, "get", "3", "--routing-context", "{\"region\": \"eu\", \"tier\": 0}");
    assertThat(get.jsonl().get(0).get("value").asText()).isEqualTo("v-3");
    CliRun none = shardy(env, "route", "4");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("routing context");
    CliRun badTier = shardy(env, "route", "4", "--routing-context", "region=us",
        "--routing-context", "tier=high");
    assertThat(badTier.code()).isEqualTo(2);
    assertThat(badTier.err()).contains("column 'tier' is declared int");
  }

  @Test
  void readerTomlFromShardyConfigCommandLineWins() throws Exception {
    Path cache = tmp.resolve("toml-cache");
    Path config = write("reader.toml", """
        [reader]
        current_url = "%s"
        local_root = "%s"
        thread_safety = "pool"
        max_workers = 2
        credentials_profile = "default"
        slate_env_file = ""

        [output]
        format = "text"
        value_encoding = "hex"
        null_repr = "MISSING"
        """.formatted(plainUrl, cache));
    Map<String, String> env = Map.of("SHARDY_CONFIG", config.toString());
    CliRun get = shardy(env, "get", "5");
    assertThat(get.code()).as(get.toString()).isZero();
    assertThat(get.out()).as("text format, hex values").isEqualTo(
        "762d35\n");
    assertThat(get.err()).contains("[reader] slate_env_file has no effect");
    assertThat(cache).as("local_root is the shard cache, kept").isNotEmptyDirectory();
    CliRun missing = shardy(env, "--output-format", "jsonl", "get", "99");
    assertThat(missing.code()).isZero();
    assertThat(missing.jsonl().get(0).get("value").asText()).isEqualTo("MISSING");
    CliRun other = shardy(env, "--current-url", celUrl, "--output-format", "jsonl", "info");
    assertThat(other.jsonl().get(0).get("run_id").asText()).as("--current-url wins")
        .isEqualTo("cel");

    Path bad = write("bad-reader.toml", "[reader]\nthread_safety = \"fork\"\n");
    CliRun refused = shardy(Map.of("SHARDY_CONFIG", bad.toString(), "SHARDY_CURRENT", plainUrl),
        "info");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("thread_safety must be lock or pool");
    Path unknown = write("unknown-reader.toml", "[output]\ncolour = \"red\"\n");
    CliRun unknownKey = shardy(Map.of("SHARDY_CURRENT", plainUrl), "--config",
        unknown.toString(), "info");
    assertThat(unknownKey.code()).isEqualTo(2);
    assertThat(unknownKey.err()).contains("unknown key [output] colour");
  }

  static String profile(String name, String extra) {
    return """
        [%s]
        endpoint_url = "%s"
        region = "%s"
        access_key_id = "%s"
        secret_access_key = "%s"
        %s
        """.formatted(name, s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), extra);
  }

  @Test
  void credentialsTomlEveryPerProfileSettingAndRefusals() throws Exception {
    Path creds = write("credentials.toml", profile("py", """
        session_token = ""
        addressing_style = "path"
        signature_version = "s3v4"
        verify_ssl = true
        connect_timeout = 5
        read_timeout = 20
        max_attempts = 2
        """) + profile("virtual", "addressing_style = \"virtual\"\nmax_attempts = 1\n")
        + profile("sigv2", "signature_version = \"s3\"\n")
        + profile("noverify", "verify_ssl = false\n")
        + profile("attempts", "max_attempts = 0\n")
        + profile("typo", "adressing_style = \"path\"\n"));
    Path config = write("py-reader.toml", """
        [reader]
        current_url = "s3://golden/u64-hash8/_CURRENT"
        credentials_profile = "py"
        """);
    Map<String, String> env = new HashMap<>(Map.of("SHARDY_CONFIG", config.toString(),
        "SHARDY_CREDENTIALS", creds.toString()));
    CliRun info = shardy(env, "info");
    assertThat(info.code()).as(info.toString()).isZero();
    assertThat(info.jsonl().get(0).get("num_dbs").asInt()).isEqualTo(8);

    CliRun virtual = shardy(env, "--profile", "virtual", "info");
    assertThat(virtual.code()).as("the SDK keeps path style for an IP endpoint: "
        + virtual).isZero();

    CliRun sigv2 = shardy(env, "--credentials", creds.toString(), "--profile", "sigv2", "info");
    assertThat(sigv2.code()).isEqualTo(2);
    assertThat(sigv2.err()).contains("profile [sigv2]: signature_version: signature_version "
        + "'s3' is not supported");
    CliRun noVerify = shardy(env, "--profile", "noverify", "info");
    assertThat(noVerify.code()).isEqualTo(2);
    assertThat(noVerify.err()).contains("profile [noverify]: verify_ssl");
    CliRun attempts = shardy(env, "--profile", "attempts", "info");
    assertThat(attempts.code()).isEqualTo(2);
    assertThat(attempts.err()).contains("profile [attempts]: max_attempts");
    CliRun typo = shardy(env, "--profile", "typo", "info");
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).contains("unknown key 'adressing_style'");
  }

  @Test
  void healthExitCodesAndGetStrict() throws Exception {
    Map<String, String> env = Map.of("SHARDY_CURRENT", plainUrl);
    CliRun healthy = shardy(env, "--output-format", "json", "health");
    assertThat(healthy.code()).as(healthy.toString()).isZero();
    JsonNode h = healthy.json();
    assertThat(h.get("status").asText()).isEqualTo("healthy");
    assertThat(h.get("manifest_ref").asText()).contains("run_id=plain");
    assertThat(h.get("manifest_age_seconds").isNumber()).isTrue();
    assertThat(h.get("num_shards").asInt()).isPositive();
    assertThat(h.get("is_closed").asBoolean()).isFalse();
    assertThat(h.get("reasons")).isEmpty();

    CliRun degraded = shardy(env, "health", "--max-staleness", "0.001");
    assertThat(degraded.code()).as(degraded.toString()).isEqualTo(1);
    assertThat(degraded.jsonl().get(0).get("status").asText()).isEqualTo("degraded");
    assertThat(degraded.jsonl().get(0).get("reasons").get(0).asText()).contains("old, more "
        + "than");
    CliRun young = shardy(env, "health", "--staleness-threshold", "86400");
    assertThat(young.code()).as(young.toString()).isZero();

    Path empty = Files.createDirectories(tmp.resolve("nothing-published"));
    CliRun unhealthy = shardy(Map.of("SHARDY_CURRENT", empty.toUri() + "_CURRENT"), "health");
    assertThat(unhealthy.code()).as(unhealthy.toString()).isEqualTo(2);
    assertThat(unhealthy.jsonl().get(0).get("status").asText()).isEqualTo("unhealthy");

    CliRun lenient = shardy(env, "get", "99");
    assertThat(lenient.code()).as("as the Python CLI: " + lenient).isZero();
    CliRun strict = shardy(env, "get", "--strict", "99");
    assertThat(strict.code()).isEqualTo(1);
    assertThat(strict.jsonl().get(0).get("found").asBoolean()).isFalse();
  }

  @Test
  void getAndRouteOnAPythonWrittenSnapshot() throws Exception {
    List<String> expected = Files.readAllLines(GOLDEN.resolve("expected/u64-hash8.jsonl"));
    JsonNode line = JSON.readTree(expected.get(expected.size() / 2));
    String key = line.get("key").asText();
    Path creds = write("golden-credentials.toml", profile("default",
        "addressing_style = \"path\"\n"));
    Map<String, String> env = Map.of("SHARDY_CURRENT", "s3://golden/u64-hash8/_CURRENT",
        "SHARDY_CREDENTIALS", creds.toString());
    CliRun get = shardy(env, "get", "--value-format", "hex", key);
    assertThat(get.code()).as(get.toString()).isZero();
    assertThat(get.jsonl().get(0).get("value").asText())
        .isEqualTo(line.get("value_hex").asText());
    CliRun route = shardy(env, "route", key);
    assertThat(route.code()).as(route.toString()).isZero();
    assertThat(route.jsonl().get(0).get("db_id").asInt()).isEqualTo(line.get("db_id").asInt());
  }
}
