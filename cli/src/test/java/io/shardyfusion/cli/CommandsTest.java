package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.testing.S3ProxyExtension;
import io.shardyfusion.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read commands in-process (picocli's execute with captured streams) against three runs on
 * a real S3Proxy process. Nothing here changes {@code _CURRENT}; see {@link RollbackCommandTest}.
 */
@ExtendWith(S3ProxyExtension.class)
class CommandsTest {
  @TempDir static Path tmp;
  static ThreeRunsOnS3 runs;

  @BeforeAll
  static void publish(S3ProxyServer s3) {
    runs = ThreeRunsOnS3.publish(s3, tmp);
  }

  static CliRun cli(String... args) {
    return stdin("", args);
  }

  static CliRun stdin(String in, String... args) {
    List<String> all = new ArrayList<>();
    // A subcommand's own arguments follow the globals: split at the first non-option word.
    all.addAll(runs.args());
    all.addAll(List.of(args));
    return CliRun.inProcess(tmp, Map.of(), in, all);
  }

  @Test
  void getPrintsTheCurrentRunsValueAsJsonLinesWhenNotATerminal() {
    CliRun r = cli("get", "25");
    assertThat(r.code()).as(r.toString()).isZero();
    List<JsonNode> rows = r.jsonl();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("key").asLong()).isEqualTo(25);
    assertThat(rows.get(0).get("found").asBoolean()).isTrue();
    assertThat(rows.get(0).get("value").asText()).isEqualTo("r3:25");
    assertThat(rows.get(0).get("value_encoding").asText()).isEqualTo("utf8");
  }

  @Test
  void getOfAMissingKeyExitsZeroUnlessStrict() {
    CliRun r = cli("get", "30");
    assertThat(r.code()).as("the Python CLI's exit code: " + r).isZero();
    assertThat(r.jsonl().get(0).get("found").asBoolean()).isFalse();
    CliRun strict = cli("get", "--strict", "30");
    assertThat(strict.code()).as(strict.toString()).isEqualTo(1);
    assertThat(strict.jsonl().get(0).get("found").asBoolean()).isFalse();
  }

  @Test
  void valueFormats() {
    assertThat(cli("--output-format", "text", "get", "--value-format", "hex", "7").out().strip())
        .isEqualTo("72333a37"); // "r3:7"
    assertThat(cli("--output-format", "text", "get", "--value-format", "base64", "7").out()
        .strip()).isEqualTo(Base64.getEncoder().encodeToString("r3:7".getBytes()));
    assertThat(cli("--output-format", "text", "get", "7").out().strip()).isEqualTo("r3:7");
  }

  @Test
  void globalOptionsMayFollowTheSubcommandExceptThePins() {
    assertThat(cli("get", "7", "--output-format", "text").out()).isEqualTo("r3:7\n");
    CliRun pinAfter = cli("get", "7", "--offset", "1");
    assertThat(pinAfter.code()).isEqualTo(2);
    assertThat(pinAfter.err()).startsWith("shardy: error: Unknown option");
  }

  @Test
  void badKeysAreUsageErrors() {
    CliRun notNumber = cli("get", "abc");
    assertThat(notNumber.code()).isEqualTo(2);
    assertThat(notNumber.err()).startsWith("shardy: error: key 'abc' is not an integer");
    CliRun negative = cli("get", "-1");
    assertThat(negative.code()).as(negative.toString()).isEqualTo(2);
    CliRun tooBig = cli("route", "9223372036854775808");
    assertThat(tooBig.code()).isEqualTo(2);
    assertThat(tooBig.err()).contains("out of range for u64be");
  }

  @Test
  void multigetPrintsEveryKeyAndWithStrictExitsOneWhenAnyIsMissing() {
    CliRun all = cli("multiget", "1", "29", "0");
    assertThat(all.code()).as(all.toString()).isZero();
    assertThat(all.jsonl()).extracting(n -> n.get("value").asText())
        .containsExactly("r3:1", "r3:29", "r3:0");

    CliRun some = stdin("3\n\n100\n4\n", "multiget", "--strict", "-");
    assertThat(some.code()).as(some.toString()).isEqualTo(1);
    CliRun lenient = cli("multiget", "3", "100");
    assertThat(lenient.code()).as("as the Python CLI: " + lenient).isZero();
    assertThat(some.jsonl()).extracting(n -> n.get("key").asLong() + "=" + n.get("found"))
        .containsExactly("3=true", "100=false", "4=true");
  }

  @Test
  void routeNamesTheShardTheTestComputes() {
    for (long key : new long[] {0, 7, 29, 1_000_000}) {
      CliRun r = cli("route", Long.toString(key));
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.jsonl().get(0).get("db_id").asInt()).isEqualTo(runs.shardOf(2, key));
    }
  }

  @Test
  void infoDescribesTheCurrentRun() {
    JsonNode info = cli("--output-format", "json", "info").json();
    assertThat(info.get("run_id").asText()).isEqualTo("r3");
    assertThat(info.get("manifest_ref").asText()).isEqualTo(runs.ref(2));
    assertThat(info.get("rows").asLong()).isEqualTo(30);
    assertThat(info.get("num_dbs").asInt()).isEqualTo(4);
    assertThat(info.get("key_encoding").asText()).isEqualTo("u64be");
    assertThat(info.get("prefix").asText()).isEqualTo(runs.prefix);
    assertThat(info.get("sharding").get("strategy").asText()).isNotBlank();
  }

  @Test
  void shardsListsEveryShardWithItsRowsAndKeyRange() {
    List<JsonNode> shards = cli("shards").jsonl();
    assertThat(shards).extracting(n -> n.get("db_id").asInt()).containsExactly(0, 1, 2, 3);
    long[] expected = new long[4];
    for (long k = 0; k < 30; k++) {
      expected[runs.shardOf(2, k)]++;
    }
    for (JsonNode s : shards) {
      assertThat(s.get("rows").asLong()).isEqualTo(expected[s.get("db_id").asInt()]);
      if (s.get("rows").asLong() > 0) {
        assertThat(s.get("db_url").asText()).startsWith(runs.prefix + "/");
        assertThat(s.get("min_key").asLong()).isLessThanOrEqualTo(s.get("max_key").asLong());
      }
    }
  }

  @Test
  void historyIsNewestFirstAndMarksTheCurrentManifest() {
    List<JsonNode> h = cli("history").jsonl();
    assertThat(h).extracting(n -> n.get("run_id").asText()).containsExactly("r3", "r2", "r1");
    assertThat(h).extracting(n -> n.get("current").asBoolean()).containsExactly(true, false,
        false);
    assertThat(h).extracting(n -> n.get("rows").asLong()).containsExactly(30L, 20L, 10L);
    assertThat(cli("history", "--limit", "2").jsonl()).hasSize(2);
  }

  @Test
  void pinnedReadsServeTheSelectedRunWithoutMovingCurrent() {
    String before = runs.current().manifestRef();
    CliRun byOffset = cli("--offset", "1", "get", "15");
    assertThat(byOffset.jsonl().get(0).get("value").asText()).isEqualTo("r2:15");
    CliRun byRef = cli("--ref", runs.ref(0), "multiget", "--strict", "5", "15");
    assertThat(byRef.code()).isEqualTo(1);
    assertThat(byRef.jsonl()).extracting(n -> n.path("value").asText(null))
        .containsExactly("r1:5", null);
    assertThat(cli("--offset", "2", "--output-format", "json", "info").json().get("run_id")
        .asText()).isEqualTo("r1");
    assertThat(runs.current().manifestRef()).isEqualTo(before);
  }

  @Test
  void pinErrorsAreClear() {
    CliRun both = cli("--offset", "1", "--ref", runs.ref(0), "info");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).startsWith("shardy: error: ").contains("mutually exclusive");
    CliRun beyond = cli("--offset", "3", "info");
    assertThat(beyond.code()).isEqualTo(1);
    assertThat(beyond.err()).contains("beyond history");
    CliRun unknown = cli("--ref", runs.prefix + "/manifests/nope/manifest", "get", "1");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).startsWith("shardy: error: ");
  }

  @Test
  void tableAndTextFormats() {
    CliRun table = cli("--output-format", "table", "history");
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0)).startsWith("current").contains("run_id").contains("ref");
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1).indexOf("r3")).isEqualTo(lines.get(0).indexOf("run_id"));
    CliRun text = cli("--output-format", "text", "route", "3");
    assertThat(text.out()).startsWith("key 3 routes to shard " + runs.shardOf(2, 3));
  }

  @Test
  void execRunsEveryOpWithContinueAndStopsAtTheFirstFailureWithStop() throws Exception {
    Path cont = tmp.resolve("continue.yaml");
    Files.writeString(cont, """
        on_error: continue
        ops:
          - {op: get, key: 5}
          - {op: get, key: abc}
          - {op: multiget, keys: [1, 2]}
          - {op: route, key: 9}
          - {op: info}
        """);
    CliRun r = cli("exec", "--script", cont.toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    List<JsonNode> results = r.jsonl();
    assertThat(results).extracting(n -> n.get("ok").asBoolean())
        .containsExactly(true, false, true, true, true);
    assertThat(results.get(0).get("result").get("value").asText()).isEqualTo("r3:5");
    assertThat(results.get(1).get("error").asText()).contains("not an integer");
    assertThat(results.get(2).get("result").get(1).get("value").asText()).isEqualTo("r3:2");
    assertThat(results.get(3).get("result").get("db_id").asInt()).isEqualTo(runs.shardOf(2, 9));
    assertThat(results.get(4).get("result").get("run_id").asText()).isEqualTo("r3");

    Path stop = tmp.resolve("stop.yaml");
    Files.writeString(stop, """
        ops:
          - {op: get, key: 5}
          - {op: get, key: 99}
          - {op: info}
        """);
    CliRun s = cli("exec", "--script", stop.toString());
    assertThat(s.code()).isEqualTo(1);
    assertThat(s.jsonl()).extracting(n -> n.get("ok").asBoolean()).containsExactly(true, false);

    Path ok = tmp.resolve("ok.yaml");
    Files.writeString(ok, "ops:\n  - {op: shards}\n  - {op: refresh}\n");
    assertThat(cli("exec", "--script", ok.toString()).code()).isZero();
  }

  @Test
  void invalidExecScriptsRunNothing() throws Exception {
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "ops:\n  - {op: get, key: 1}\n  - {op: delete, key: 1}\n");
    CliRun r = cli("exec", "--script", bad.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("unknown op 'delete'");
    Files.writeString(bad, "ops:\n  - {op: get, kye: 1}\n");
    assertThat(cli("exec", "--script", bad.toString()).err()).contains("unknown field 'kye'");
    Files.writeString(bad, "ops: [unclosed\n");
    assertThat(cli("exec", "--script", bad.toString()).code()).isEqualTo(2);
  }

  @Test
  void replRunsLinesOnOneReader() {
    CliRun r = stdin("""
        get 1
        # a comment

        "route" '2'
        get nope
        --offset 1 get 1
        get 29
        quit
        get 3
        """);
    assertThat(r.code()).as(r.toString()).isZero();
    List<JsonNode> rows = r.jsonl();
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("value").asText()).isEqualTo("r3:1");
    assertThat(rows.get(1).get("db_id").asInt()).isEqualTo(runs.shardOf(2, 2));
    assertThat(rows.get(2).get("value").asText()).isEqualTo("r3:29");
    assertThat(r.err()).contains("key 'nope' is not an integer")
        .contains("global options").doesNotContain("r3:3");
  }

  @Test
  void schemaPrintsJsonSchemas() {
    CliRun manifest = CliRun.inProcess(tmp, Map.of(), "", List.of("--output-format", "json",
        "schema"));
    assertThat(manifest.code()).isZero();
    assertThat(manifest.json().has("$schema")).isTrue();
    CliRun pointer = CliRun.inProcess(tmp, Map.of(), "", List.of("schema", "--type",
        "current-pointer"));
    assertThat(pointer.out().strip().lines()).hasSize(1);
    assertThat(pointer.json().get("properties").has("manifest_ref")).isTrue();
    assertThat(CliRun.inProcess(tmp, Map.of(), "", List.of("schema", "--type", "x")).code())
        .isEqualTo(2);
  }
}
