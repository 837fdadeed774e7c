package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.manifest.postgres.PostgresConfig;
import io.shardyfusion.manifest.postgres.PostgresManifestStore;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesPostgres;
import io.shardyfusion.testing.UsesS3Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher against snapshots whose shards are on the S3Proxy process and whose
 * manifests and pointer are in the PostgreSQL server:
 * {@code SHARDY_CURRENT=jdbc:postgresql://host:port/db?user=postgres&dataset=users}. Ordered:
 * later tests see the rollbacks and cleanups of earlier ones.
 */
@UsesS3Proxy
@UsesPostgres
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherPostgresTest {
  @TempDir static Path tmp;
  static ThreeRunsOnS3 runs;

  @BeforeAll
  static void publish(S3ProxyServer s3, PostgresServer pg) {
    String db = pg.createDatabase("cli");
    PostgresConfig config = PostgresConfig.builder().jdbcUrl(pg.jdbcUrl(db)).user(pg.user())
        .dataset("users").build();
    runs = ThreeRunsOnS3.publish(s3, tmp, PostgresManifestStore.factory(config),
        pg.jdbcUrl(db) + "?user=" + pg.user() + "&dataset=users");
  }

  static CliRun shardy(String stdin, String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "--s3-option";
    all[1] = "addressing_style=path";
    System.arraycopy(args, 0, all, 2, args.length);
    return Launcher.run(tmp, Map.of("SHARDY_CURRENT", runs.currentUrl(),
        "SHARDY_CREDENTIALS_FILE", runs.credentials.toString()), stdin, all);
  }

  private static String str(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void historyComesFromPostgresNewestFirst() throws Exception {
    CliRun history = shardy("", "history");
    assertThat(history.code()).as(history.toString()).isZero();
    assertThat(history.jsonl()).extracting(n -> n.get("run_id").asText())
        .containsExactly("r3", "r2", "r1");
    assertThat(history.jsonl()).extracting(n -> n.get("ref").asText())
        .containsExactly(runs.ref(2), runs.ref(1), runs.ref(0))
        .allMatch(ref -> ref.startsWith("postgres:users/"));
    assertThat(history.jsonl().get(0).get("current").asBoolean()).isTrue();
    assertThat(runs.objectKeys()).as("no _CURRENT or manifest in the bucket")
        .noneMatch(k -> k.equals("_CURRENT") || k.startsWith("manifests/"));

    CliRun info = shardy("", "info");
    assertThat(info.jsonl().get(0).get("run_id").asText()).isEqualTo("r3");
  }

  @Test
  @Order(2)
  void rollbackByEachSelectorMovesThePointerInPostgresAndAReaderFollows() throws Exception {
    try (ShardedReader reader = runs.reader(tmp.resolve("reader"))) {
      assertThat(str(reader.get(25L))).isEqualTo("r3:25");

      CliRun byOffset = shardy("", "rollback", "--offset", "1");
      assertThat(byOffset.code()).as(byOffset.toString()).isZero();
      assertThat(runs.current().runId()).isEqualTo("r2");
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(15L))).isEqualTo("r2:15");
      assertThat(reader.get(25L)).isNull();

      CliRun byRun = shardy("", "rollback", "--run-id", "r1");
      assertThat(byRun.jsonl().get(0).get("new_ref").asText()).isEqualTo(runs.ref(0));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(5L))).isEqualTo("r1:5");

      CliRun unknown = shardy("", "rollback", "--run-id", "nope");
      assertThat(unknown.code()).isEqualTo(1);
      assertThat(unknown.err()).contains("no manifest of run id 'nope'");
      assertThat(runs.current().runId()).as("nothing changed").isEqualTo("r1");

      CliRun byRef = shardy("", "rollback", "--ref", runs.ref(2));
      assertThat(byRef.code()).as(byRef.toString()).isZero();
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(25L))).isEqualTo("r3:25");
    }
  }

  @Test
  @Order(3)
  void execScriptAgainstPostgres() throws Exception {
    Path script = tmp.resolve("ops.yaml");
    Files.writeString(script, """
        on_error: stop
        ops:
          - {op: get, key: 29}
          - {op: route, key: 7}
          - {op: get, key: 1000}
          - {op: info}
        """);
    CliRun r = shardy("", "exec", "--script", script.toString());
    assertThat(r.code()).isEqualTo(1);
    List<JsonNode> results = r.jsonl();
    assertThat(results).as("stop after the failed get").hasSize(3);
    assertThat(results.get(0).get("result").get("value").asText()).isEqualTo("r3:29");
    assertThat(results.get(1).get("result").get("db_id").asInt()).isEqualTo(runs.shardOf(2, 7));
    assertThat(results.get(2).get("ok").asBoolean()).isFalse();
  }

  @Test
  @Order(4)
  void cleanupDeletesFromPostgresAndTheBucket() throws Exception {
    List<String> before = runs.objectKeys();
    CliRun dry = shardy("", "cleanup", "--keep-last", "1", "--dry-run");
    assertThat(dry.code()).as(dry.toString()).isZero();
    assertThat(CleanupRows.manifestActions(dry)).containsExactly(
        "r3=keep", "r2=delete", "r1=delete");
    assertThat(runs.objectKeys()).isEqualTo(before);

    CliRun young = shardy("", "cleanup", "--older-than", "7d");
    assertThat(CleanupRows.manifestActions(young)).containsOnly("r3=keep", "r2=keep",
        "r1=keep");

    CliRun keepTwo = shardy("", "cleanup", "--keep-last", "2", "--protect-ref", runs.ref(0));
    assertThat(CleanupRows.manifestActions(keepTwo)).as("r1 is protected").containsExactly(
        "r3=keep", "r2=keep", "r1=keep");

    CliRun keepOne = shardy("", "cleanup", "--keep-last", "1", "--older-than", "1s");
    assertThat(keepOne.code()).as(keepOne.toString()).isZero();
    try (ManifestStore store = runs.store()) {
      assertThat(store.listManifests(10)).extracting(ManifestEntry::runId)
          .containsExactly("r3");
    }
    assertThat(runs.objectKeys()).noneMatch(k -> k.contains("run_id=r1/")
        || k.contains("run_id=r2/") || k.contains("_run_id=r1_") || k.contains("_run_id=r2_"));
    assertThat(runs.objectKeys()).containsAll(CleanupRows.filesOf(runs, 2));
    CliRun get = shardy("", "get", "29");
    assertThat(get.jsonl().get(0).get("value").asText()).isEqualTo("r3:29");
  }
}
