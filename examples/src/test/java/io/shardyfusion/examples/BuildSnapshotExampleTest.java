package io.shardyfusion.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.manifest.ShardMeta;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class BuildSnapshotExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  /** Runs the command as main() does, capturing its output. */
  private static final class Run {
    final BuildSnapshotExample example = new BuildSnapshotExample();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final int exitCode;

    Run(String... args) {
      CommandLine cmd = BuildSnapshotExample.commandLine(example);
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
      exitCode = cmd.execute(args);
    }

    /** The JSON document printed after {@code heading}. */
    JsonNode section(String heading) throws IOException {
      String text = out.toString();
      int start = text.indexOf(heading + "\n");
      assertThat(start).as("heading '%s' in:%n%s", heading, text).isNotNegative();
      try (var parser = JSON.createParser(text.substring(start + heading.length()))) {
        return JSON.readTree(parser); // the first document; the next heading follows it
      }
    }
  }

  /** A temp store and reader root, 4 shards unless {@code extra} sets --num-dbs, then extra. */
  private String[] args(String... extra) {
    List<String> all = new java.util.ArrayList<>(List.of("--output",
        "file://" + tmp.resolve("store"), "--local-root", tmp.resolve("reader").toString()));
    if (!List.of(extra).contains("--num-dbs")) {
      all.addAll(List.of("--num-dbs", "4"));
    }
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }

  @Test
  void buildsTheSampleDataAndReadsItBack() throws IOException {
    Run run = new Run(args()); // default --input: the repository's sample data
    assertThat(run.exitCode).as("stderr: %s", run.err).isZero();

    Path sample = BuildSnapshotExample.findRepoRoot().resolve(BuildSnapshotExample.SAMPLE_DATA);
    List<String> lines = Files.readAllLines(sample, StandardCharsets.UTF_8);
    assertThat(lines).hasSizeGreaterThan(1000);

    JsonNode build = run.section("build result:");
    assertThat(build.get("rows_written").asLong()).isEqualTo(lines.size());
    assertThat(build.get("num_dbs").asInt()).isEqualTo(4);
    long perShard = 0;
    for (JsonNode w : build.get("winners")) {
      perShard += w.get("row_count").asLong();
      assertThat(w.get("min_key").asLong()).isLessThanOrEqualTo(w.get("max_key").asLong());
    }
    assertThat(perShard).isEqualTo(lines.size());
    assertThat(build.get("manifest_ref").asText()).startsWith("file://" + tmp.resolve("store"));

    BuildSnapshotExample.Report report = run.example.lastReport;
    assertThat(report.linesRead()).isEqualTo(lines.size());
    assertThat(report.snapshotInfo().totalRows()).isEqualTo(lines.size());
    assertThat(report.build().winners()).extracting(ShardMeta::rowCount)
        .allSatisfy(n -> assertThat(n).isPositive());

    // First, middle and last line of the file, then the absent key.
    List<BuildSnapshotExample.Lookup> lookups = report.lookups();
    assertThat(lookups).extracting(BuildSnapshotExample.Lookup::lineNumber)
        .containsExactly(1L, lines.size() / 2 + 1L, (long) lines.size(), 0L);
    BuildSnapshotExample.Lookup last = lookups.get(2);
    assertThat(new String(last.actual(), StandardCharsets.UTF_8))
        .isEqualTo(lines.get(lines.size() - 1));
    assertThat(last.key()).isEqualTo(JSON.readTree(lines.get(lines.size() - 1)).get("id")
        .asLong());
    assertThat(lookups.get(3).actual()).isNull();
    assertThat(lookups).allSatisfy(l -> assertThat(l.matches()).isTrue());

    JsonNode printed = run.section("lookups:");
    assertThat(printed).hasSize(4);
    assertThat(printed.get(0).get("value").asText()).isEqualTo(lines.get(0));
    assertThat(printed.get(3).get("found").asBoolean()).isFalse();
    JsonNode info = run.section("snapshot info:");
    assertThat(info.get("total_rows").asLong()).isEqualTo(lines.size());
    assertThat(info.get("key_encoding").asText()).isEqualTo("u64be");
  }

  @Test
  void storesOneFieldWithUtf8KeysInParallel() throws IOException {
    Path input = tmp.resolve("small.jsonl");
    Files.writeString(input, """
        {"id": 7, "name": "Ada", "country": "GB", "payload": "x"}

        {"id": 3, "name": "Grace", "country": "US", "payload": {"n": 1}}
        {"id": 11, "name": "Edsger", "country": "NL", "payload": "z"}
        """);
    Run run = new Run(args("--input", input.toString(), "--key-field", "name",
        "--key-encoding", "utf8", "--value-field", "payload", "--parallel"));
    assertThat(run.exitCode).as("stderr: %s", run.err).isZero();
    JsonNode lookups = run.section("lookups:");
    // Blank line 2 is skipped but counted: the records are on lines 1, 3 and 4.
    assertThat(lookups.findValuesAsText("key")).startsWith("Ada", "Grace", "Edsger");
    assertThat(lookups.get(0).get("line").asLong()).isEqualTo(1);
    assertThat(lookups.get(1).get("line").asLong()).isEqualTo(3);
    assertThat(lookups.get(1).get("value").asText()).isEqualTo("{\"n\":1}");
    assertThat(lookups.get(2).get("value").asText()).isEqualTo("z");
    assertThat(lookups.get(3).get("found").asBoolean()).isFalse();
    assertThat(run.section("build result:").get("rows_written").asLong()).isEqualTo(3);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of("{\"id\": 1}\n{\"name\": \"no id\"}\n", "line 2: key field 'id' is missing"),
        Arguments.of("{\"id\": 1}\n{\"id\": 2}\n{\"id\": \"abc\"}\n",
            "line 3: key field 'id' must be an integer for u64be, got string \"abc\""),
        Arguments.of("{\"id\": 1.5}\n", "line 1: key field 'id' must be an integer for u64be"),
        Arguments.of("{\"id\": -4}\n", "line 1: key -4 is out of range for u64be"),
        Arguments.of("{\"id\": 1}\n{\"id\": 2,\n", "line 2: not valid JSON"));
  }

  @ParameterizedTest
  @MethodSource("badInputs")
  void badInputNamesTheLineAndPublishesNothing(String content, String message)
      throws IOException {
    Path input = tmp.resolve("bad.jsonl");
    Files.writeString(input, content);
    Run run = new Run(args("--input", input.toString()));
    assertThat(run.exitCode).isEqualTo(BuildSnapshotExample.EXIT_BAD_INPUT);
    assertThat(run.err.toString()).contains(input + " " + message);
    assertThat(run.out.toString()).doesNotContain("build result:");
    assertThat(tmp.resolve("store/_CURRENT")).doesNotExist();
  }

  @Test
  void missingInputFileIsBadInput() {
    Path input = tmp.resolve("nope.jsonl");
    Run run = new Run(args("--input", input.toString()));
    assertThat(run.exitCode).isEqualTo(BuildSnapshotExample.EXIT_BAD_INPUT);
    assertThat(run.err.toString()).contains(input + ": does not exist");
  }

  @Test
  void unknownKeyEncodingIsAUsageError() {
    Run run = new Run(args("--key-encoding", "u128"));
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err.toString()).contains("keyEncoding 'u128' is not supported");
  }

  @Test
  void invalidShardCountIsAUsageError() {
    Run run = new Run(args("--num-dbs", "0"));
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err.toString()).contains("numDbs must be in 1..65536, got 0");
    assertThat(tmp.resolve("store/_CURRENT")).doesNotExist();
  }

  @Test
  void aNegativeShardRetryCountIsAUsageError() {
    Run run = new Run(args("--shard-retries", "-1"));
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err.toString()).contains("shardRetry maxRetries must be in 0..100, got -1");
    assertThat(tmp.resolve("store/_CURRENT")).doesNotExist();
  }

  @Test
  void s3SettingsUseTheSharedSpellingAndAreCheckedBeforeAnythingIsWritten() {
    Run unknown = new Run(args("--s3-option", "endpoint=http://127.0.0.1:1"));
    assertThat(unknown.exitCode).isEqualTo(2);
    assertThat(unknown.err.toString()).contains("unknown --s3-option 'endpoint'");
    Run badStyle = new Run(args("--s3-option", "addressing_style=sideways"));
    assertThat(badStyle.exitCode).isEqualTo(2);
    assertThat(badStyle.err.toString()).contains("sideways");
    assertThat(tmp.resolve("store/_CURRENT")).doesNotExist();
  }
}
