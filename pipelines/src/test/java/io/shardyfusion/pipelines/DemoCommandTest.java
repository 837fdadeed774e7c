package io.shardyfusion.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.cli.CliContext;
import io.shardyfusion.cli.ShardyCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shardy demo} through the one front end, in-process, on a copy of the sample data
 * layout: the Beam job, then the shared verifier reading the snapshot back.
 */
class DemoCommandTest {
  @TempDir Path repo;

  @Test
  void buildsReadsBackAndChecksTheSample() throws Exception {
    Path data = Files.createDirectories(repo.resolve("examples/data"));
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      lines.append("{\"id\": ").append(1000 + i * 7).append(", \"name\": \"n").append(i)
          .append("\"}\n");
    }
    Files.writeString(data.resolve("users.jsonl"), lines);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), repo, false, false);
    String before = System.getProperty(DemoCommand.REPO_ROOT_PROPERTY);
    System.setProperty(DemoCommand.REPO_ROOT_PROPERTY, repo.toString());
    int code;
    try {
      code = ShardyCli.run(ctx, "--output-format", "jsonl", "demo", "--tempDir="
          + repo.resolve("tmp"));
    } finally {
      if (before == null) {
        System.clearProperty(DemoCommand.REPO_ROOT_PROPERTY);
      } else {
        System.setProperty(DemoCommand.REPO_ROOT_PROPERTY, before);
      }
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(printed).contains("line 1: get(1000) -> the record, as written")
        .contains("line 16: get(1105) -> the record, as written")
        .contains("line 30: get(1203) -> the record, as written")
        .contains("absent key: get(1204) -> null, as expected")
        .contains(": 30 rows in 8 shards")
        .endsWith("OK: the snapshot reads back as written\n");
    assertThat(printed.lines().findFirst().orElseThrow()).as("jsonl build result")
        .startsWith("{\"run_id\":");
    assertThat(repo.resolve("work-data/snapshots/users/_CURRENT")).exists();
  }
}
