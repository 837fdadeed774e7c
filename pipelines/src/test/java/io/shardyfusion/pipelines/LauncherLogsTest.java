package io.shardyfusion.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.ShardyLauncher;
import io.shardyfusion.testing.UsesPostgres;
import io.shardyfusion.testing.UsesS3Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs of the real launcher: a build (S3Proxy shards, PostgreSQL manifests behind a password)
 * and reads, at debug level, as JSON and as text. No output (stdout, stderr, any file the
 * commands leave) holds the S3 keys or the database password, and JSON lines carry the run id
 * and manifest ref as fields.
 */
@UsesS3Proxy
@UsesPostgres
class LauncherLogsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PG_PASSWORD = "pg-Secret-7f3a91c2e";

  @TempDir Path tmp;

  @Test
  void debugLogsAsJsonAndTextNeverShowSecrets(S3ProxyServer s3, PostgresServer pg)
      throws Exception {
    String user = pg.createPasswordUser("logs", PG_PASSWORD);
    String db = pg.createDatabase("logs", user);
    String jdbc = pg.jdbcUrl(db);
    String prefix = "s3://" + s3.createUniqueBucket("logs") + "/users";
    Path credentials = tmp.resolve("credentials.toml");
    Files.writeString(credentials, """
        [minio]
        endpoint_url = "%s"
        addressing_style = "path"
        region = "%s"
        access_key_id = "%s"
        secret_access_key = "%s"
        """.formatted(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey()));
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    Path input = tmp.resolve("users.jsonl");
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      rows.append("{\"id\": ").append(i).append(", \"name\": \"u").append(i).append("\"}\n");
    }
    Files.writeString(input, rows);
    Map<String, String> debugJson = Map.of("SHARDY_LOG_LEVEL", "debug", "SHARDY_LOG_FORMAT",
        "json", "PGPASSWORD", PG_PASSWORD);
    List<ShardyLauncher.Run> runs = new ArrayList<>();

    ShardyLauncher.Run build = ShardyLauncher.run(tmp, debugJson, "--output-format", "jsonl",
        "build", "--input=" + input, "--key-field=id", "--num-dbs=2", "--output=" + prefix,
        "--credentials-file", credentials.toString(), "--profile", "minio",
        "--manifest-store=" + jdbc, "--manifest-store-user=" + user,
        "--manifest-store-password-env=PGPASSWORD", "--manifest-dataset=users",
        "--temp-dir", tmp.resolve("build").toString());
    runs.add(build);
    assertThat(build.code()).as(build.toString()).isZero();
    String runId = JSON.readTree(build.out().lines().findFirst().orElseThrow())
        .get("run_id").asText();

    String current = jdbc + "?user=" + user + "&dataset=users";
    ShardyLauncher.Run getJson = ShardyLauncher.run(tmp, debugJson, "--current-url", current,
        "--credentials-file", credentials.toString(), "--profile", "minio", "get", "7");
    runs.add(getJson);
    assertThat(getJson.code()).as(getJson.toString()).isZero();
    assertThat(getJson.out()).contains("u7");

    ShardyLauncher.Run getText = ShardyLauncher.run(tmp, Map.of("SHARDY_LOG_LEVEL", "debug",
        "PGPASSWORD", PG_PASSWORD), "--current-url", current, "--credentials-file",
        credentials.toString(), "--profile", "minio", "--log-format=text", "get", "8");
    runs.add(getText);
    assertThat(getText.code()).as(getText.toString()).isZero();
    assertThat(getText.err()).as("debug lines, as text").contains(" DEBUG ")
        .contains("run_id=" + runId);

    // JSON: every log line is one object; the reader's names its run and manifest.
    List<JsonNode> lines = new ArrayList<>();
    for (String line : getJson.err().lines().toList()) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    assertThat(lines).as(getJson.err()).anySatisfy(n -> assertThat(n.get("level").asText())
        .isEqualTo("DEBUG"));
    assertThat(lines).anySatisfy(n -> {
      assertThat(n.get("loggerName").asText()).endsWith("ShardedReader");
      assertThat(n.get("kvpList").toString()).contains("\"run_id\":\"" + runId + "\"")
          .contains("manifest_ref");
    });
    assertThat(build.err().lines().filter(l -> !l.isBlank()))
        .as("the build's log lines are JSON too").allSatisfy(l -> assertThat(l).startsWith("{"))
        .anySatisfy(l -> assertThat(l).contains(runId));

    // No secret anywhere: the commands' output and every file they left (but the inputs).
    List<String> secrets = List.of(s3.accessKey(), s3.secretKey(), PG_PASSWORD);
    for (ShardyLauncher.Run r : runs) {
      for (String secret : secrets) {
        assertThat(r.out() + r.err()).as("output of a run").doesNotContain(secret);
      }
    }
    try (Stream<Path> files = Files.walk(tmp)) {
      for (Path f : files.filter(Files::isRegularFile)
          .filter(f -> !f.equals(credentials) && !f.equals(input)).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String secret : secrets) {
          assertThat(text).as(f.toString()).doesNotContain(secret);
        }
      }
    }
  }
}
