package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher: {@code bin/shardy} as a subprocess (its own JVM, the classpath the build
 * wrote), environment from {@code SHARDY_CURRENT} / {@code SHARDY_CREDENTIALS_FILE} and a
 * temporary {@code HOME}, against three runs on S3Proxy. Kept to a few launches (each starts a
 * JVM); the many small cases run in-process in the other tests. Ordered: later tests see the
 * rollback of earlier ones.
 */
@UsesS3Proxy
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherTest {
  @TempDir static Path tmp;
  static ThreeRunsOnS3 runs;

  @BeforeAll
  static void publish(S3ProxyServer s3) {
    runs = ThreeRunsOnS3.publish(s3, tmp);
  }

  /** Runs bin/shardy with the snapshot in the environment. */
  static CliRun shardy(String stdin, String... args) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("SHARDY_CURRENT", runs.currentUrl());
    env.put("SHARDY_CREDENTIALS_FILE", runs.credentials.toString());
    return launch(env, stdin, args);
  }

  static CliRun launch(Map<String, String> extraEnv, String stdin, String... args)
      throws Exception {
    return Launcher.run(tmp, extraEnv, stdin, args);
  }

  @Test
  @Order(1)
  void helpListsEveryCommand() throws Exception {
    CliRun r = shardy("", "--help");
    assertThat(r.code()).as(r.toString()).isZero();
    for (String cmd : List.of("get", "multiget", "info", "shards", "route", "history",
        "rollback", "cleanup", "schema", "exec", "refresh", "health")) {
      assertThat(r.out()).contains("\n  " + cmd + " ");
    }
    assertThat(r.out()).as("the Beam jobs too").contains("build (a snapshot from files");
    CliRun getHelp = shardy("", "get", "--help");
    assertThat(getHelp.out()).contains("Examples:").contains("shardy get 42");
  }

  @Test
  @Order(2)
  void historyAndReadsThroughTheLauncher() throws Exception {
    CliRun history = shardy("", "--s3-option", "addressing_style=path", "history");
    assertThat(history.code()).as(history.toString()).isZero();
    assertThat(history.jsonl()).extracting(n -> n.get("run_id").asText())
        .containsExactly("r3", "r2", "r1");
    assertThat(history.jsonl()).extracting(n -> n.get("ref").asText())
        .containsExactly(runs.ref(2), runs.ref(1), runs.ref(0));
    assertThat(history.jsonl().get(0).get("current").asBoolean()).isTrue();

    CliRun get = shardy("", "--s3-option", "addressing_style=path", "get", "25");
    assertThat(get.code()).as(get.toString()).isZero();
    assertThat(get.jsonl().get(0).get("value").asText()).isEqualTo("r3:25");
    assertThat(get.err()).as("no progress bar off a terminal").isEmpty();

    CliRun multi = shardy("1\n29\n31\n", "--s3-option", "addressing_style=path", "multiget",
        "--strict", "-");
    assertThat(multi.code()).as("31 is missing").isEqualTo(1);
    assertThat(multi.jsonl()).extracting(n -> n.path("value").asText(null))
        .containsExactly("r3:1", "r3:29", null);

    CliRun pinned = shardy("", "--s3-option", "addressing_style=path", "--offset", "2", "get",
        "5");
    assertThat(pinned.jsonl().get(0).get("value").asText()).isEqualTo("r1:5");
    assertThat(runs.current().runId()).isEqualTo("r3");
  }

  @Test
  @Order(3)
  void execScriptThroughTheLauncher() throws Exception {
    Path script = tmp.resolve("ops.yaml");
    Files.writeString(script, """
        on_error: continue
        ops:
          - {op: route, key: 7}
          - {op: info}
          - {op: shards}
          - {op: get, key: 1000}
          - {op: multiget, keys: [2, 3]}
        """);
    CliRun r = shardy("", "--s3-option", "addressing_style=path", "exec", "--script",
        script.toString());
    assertThat(r.code()).as("the get of 1000 fails").isEqualTo(1);
    List<JsonNode> results = r.jsonl();
    assertThat(results).extracting(n -> n.get("ok").asBoolean())
        .containsExactly(true, true, true, false, true);
    assertThat(results.get(0).get("result").get("db_id").asInt()).isEqualTo(runs.shardOf(2, 7));
    assertThat(results.get(1).get("result").get("rows").asLong()).isEqualTo(30);
    assertThat(results.get(2).get("result")).hasSize(4);
    assertThat(results.get(4).get("result").get(1).get("value").asText()).isEqualTo("r3:3");
  }

  @Test
  @Order(4)
  void rollbackMovesCurrentAndAReaderFollows() throws Exception {
    try (ShardedReader reader = runs.reader(tmp.resolve("reader"))) {
      CliRun r = shardy("", "--s3-option", "addressing_style=path", "rollback", "--offset",
          "1");
      assertThat(r.code()).as(r.toString()).isZero();
      JsonNode moved = r.jsonl().get(0);
      assertThat(moved.get("old_run_id").asText()).isEqualTo("r3");
      assertThat(moved.get("new_run_id").asText()).isEqualTo("r2");
      assertThat(runs.current().manifestRef()).isEqualTo(runs.ref(1));
      assertThat(reader.refresh()).isTrue();
      assertThat(new String(reader.get(15L), StandardCharsets.UTF_8)).isEqualTo("r2:15");
      assertThat(reader.get(25L)).isNull();
    }
  }

  @Test
  @Order(5)
  void replFromStdinKeepsOneReaderAndRefreshes() throws Exception {
    // _CURRENT names r2 here (previous test): roll forward inside the REPL, then refresh.
    CliRun r = shardy("""
        get 15
        rollback --ref %s
        get 25
        refresh
        get 25
        """.formatted(runs.ref(2)), "--s3-option", "addressing_style=path");
    assertThat(r.code()).as(r.toString()).isZero();
    List<JsonNode> rows = r.jsonl();
    assertThat(rows).hasSize(5);
    assertThat(rows.get(0).get("value").asText()).isEqualTo("r2:15");
    assertThat(rows.get(1).get("new_run_id").asText()).isEqualTo("r3");
    assertThat(rows.get(2).get("found").asBoolean()).as("still serving r2").isFalse();
    assertThat(rows.get(3).get("changed").asBoolean()).isTrue();
    assertThat(rows.get(4).get("value").asText()).isEqualTo("r3:25");
    assertThat(r.out()).doesNotContain(Repl.PROMPT);
    assertThat(runs.current().manifestRef()).isEqualTo(runs.ref(2));
  }

  @Test
  @Order(6)
  void usageErrorsExitTwo() throws Exception {
    CliRun noUrl = launch(Map.of(), "", "info");
    assertThat(noUrl.code()).isEqualTo(2);
    assertThat(noUrl.err()).startsWith("shardy: error: no snapshot given");

    Path open = tmp.resolve("open.toml");
    Files.writeString(open, Files.readString(runs.credentials));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    CliRun badKey = launch(Map.of("SHARDY_CURRENT", runs.currentUrl(),
        "SHARDY_CREDENTIALS_FILE", open.toString()), "", "--s3-option",
        "addressing_style=path", "get", "abc");
    assertThat(badKey.code()).isEqualTo(2);
    assertThat(badKey.err()).contains("shardy: warning: credentials file " + open
        + " has mode 0644").contains("shardy: error: key 'abc' is not an integer");

    Path bad = tmp.resolve("bad.toml");
    Files.writeString(bad, "[default]\naccess_key_id = \"unterminated\n");
    CliRun malformed = launch(Map.of("SHARDY_CURRENT", runs.currentUrl()), "",
        "--credentials-file", bad.toString(), "info");
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err()).contains("is not valid TOML");

    CliRun missing = shardy("", "--s3-option", "addressing_style=path", "get", "--strict",
        "99");
    assertThat(missing.code()).isEqualTo(1);

    CliRun schema = launch(Map.of(), "", "--output-format", "json", "schema");
    assertThat(schema.code()).isZero();
    assertThat(schema.json().has("$schema")).isTrue();
  }

  @Test
  @Order(7)
  void cleanupByEachRetentionRuleThroughTheLauncher() throws Exception {
    // _CURRENT names r3 again here (the REPL test rolled forward).
    List<String> before = runs.objectKeys();
    CliRun noRule = shardy("", "--s3-option", "addressing_style=path", "cleanup");
    assertThat(noRule.code()).isEqualTo(2);
    assertThat(noRule.err()).contains("--keep-last N and/or --older-than AGE");

    CliRun dry = shardy("", "--s3-option", "addressing_style=path", "cleanup", "--keep-last",
        "1", "--dry-run");
    assertThat(dry.code()).as(dry.toString()).isZero();
    assertThat(CleanupRows.manifestActions(dry)).containsExactly(
        "r3=keep", "r2=delete", "r1=delete");
    assertThat(runs.objectKeys()).as("a dry run deletes nothing").isEqualTo(before);

    CliRun young = shardy("", "--s3-option", "addressing_style=path", "cleanup",
        "--older-than", "1d");
    assertThat(CleanupRows.manifestActions(young)).containsExactly(
        "r3=keep", "r2=keep", "r1=keep");
    assertThat(runs.objectKeys()).isEqualTo(before);

    CliRun keepTwo = shardy("", "--s3-option", "addressing_style=path", "cleanup",
        "--keep-last", "2", "--older-than", "1s");
    assertThat(keepTwo.code()).as(keepTwo.toString()).isZero();
    assertThat(CleanupRows.manifestActions(keepTwo)).containsExactly(
        "r3=keep", "r2=keep", "r1=delete");
    assertThat(runs.objectKeys()).as("r1's shards and run record; no kept manifest uses them")
        .noneMatch(k -> k.contains("run_id=r1/") || k.contains("_run_id=r1_"));
    assertThat(runs.objectKeys()).containsAll(CleanupRows.filesOf(runs, 2));

    CliRun protectedRun = shardy("", "--s3-option", "addressing_style=path", "cleanup",
        "--keep-last", "1", "--protect-ref", runs.ref(1));
    assertThat(CleanupRows.manifestActions(protectedRun)).containsExactly(
        "r3=keep", "r2=keep");

    CliRun last = shardy("", "--s3-option", "addressing_style=path", "cleanup", "--keep-last",
        "1");
    assertThat(CleanupRows.manifestActions(last)).containsExactly("r3=keep", "r2=delete");
    CliRun history = shardy("", "--s3-option", "addressing_style=path", "history");
    assertThat(history.jsonl()).extracting(n -> n.get("run_id").asText()).containsExactly("r3");
    CliRun get = shardy("", "--s3-option", "addressing_style=path", "get", "25");
    assertThat(get.jsonl().get(0).get("value").asText()).isEqualTo("r3:25");
  }
}
