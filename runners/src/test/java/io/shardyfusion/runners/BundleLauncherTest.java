package io.shardyfusion.runners;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.ShardyLauncher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/shardy build} on the runners bundle's classpath (Spark's and Flink's jars beside
 * cel-java), as users run it: a CEL expression compiles there (Spark brings an ANTLR runtime
 * that cel-java's parser cannot use; the build pins the one it needs), and categorical CEL
 * routing with SQLite shards publishes on Spark and Flink; and one large JSON Lines file is read
 * as ranges.
 */
@IntegrationTest
class BundleLauncherTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"SparkRunner", "FlinkRunner"})
  void celCategoricalRoutingWithSqliteShardsBuildsThroughTheLauncher(String runner)
      throws Exception {
    Path in = tmp.resolve("users.jsonl");
    StringBuilder sb = new StringBuilder();
    String[] regions = {"eu", "us", "apac"};
    for (int i = 0; i < 60; i++) {
      sb.append("{\"id\": ").append(i).append(", \"region\": \"").append(regions[i % 3])
          .append("\"}\n");
    }
    Files.writeString(in, sb);
    String out = tmp.resolve("out").toUri().toString();
    String engine = runner.equals("SparkRunner") ? "--sparkMaster=local[2]"
        : "--flinkMaster=[local]";

    ShardyLauncher.Run r = ShardyLauncher.run(tmp, "build", "--input=" + in, "--key-field=id",
        "--value-field=region", "--cel-expr=region", "--cel-columns=region:string",
        "--routing-values=eu,us,apac", "--shard-format=sqlite", "--output=" + out,
        "--temp-dir=" + tmp.resolve("build"), "--runner=" + runner, engine);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).doesNotContain("ANTLR");
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(out)
        .localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.manifest().required().shardFormat()).isEqualTo("sqlite");
      assertThat(reader.manifest().shards()).hasSize(3).allMatch(s -> s.rowCount() == 20);
      assertThat(new String(reader.get(4L, Map.of("region", "us")), StandardCharsets.UTF_8))
          .isEqualTo("us");
      assertThat(reader.get(4L, Map.of("region", "mars"))).isNull();
    }
  }

  /**
   * One JSON Lines file of several 16 MiB ranges, read range by range in parallel: every line
   * is stored once, and a bad line in a later range is named by its range's first byte and its
   * line in that range, which points at it exactly.
   */
  @Test
  void oneLargeJsonlFileIsReadAsRangesEveryLineOnce() throws Exception {
    int rows = 400_000;
    Path in = tmp.resolve("big.jsonl");
    String pad = "v".repeat(100);
    try (var w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
      for (int i = 0; i < rows; i++) {
        w.write("{\"id\": " + i + ", \"v\": \"" + pad + i + "\"}\n");
      }
    }
    assertThat(Files.size(in)).as("more than two ranges").isGreaterThan(2 * (16L << 20));
    String out = tmp.resolve("out").toUri().toString();

    ShardyLauncher.Run r = ShardyLauncher.run(tmp, "build", "--input=" + in, "--key-field=id",
        "--value-field=v", "--num-dbs=4", "--output=" + out,
        "--temp-dir=" + tmp.resolve("build"), "--runner=DirectRunner");

    assertThat(r.code()).as("exit code; stderr ends: %s", tail(r.err())).isZero();
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(out)
        .localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.snapshotInfo().totalRows()).as("every line once").isEqualTo(rows);
      for (int i = 0; i < rows; i += 9_973) {
        assertThat(new String(reader.get((long) i), StandardCharsets.UTF_8))
            .isEqualTo(pad + i);
      }
    }

    // A bad line in the third range: named by that range's first byte and its line there.
    long range = 16L << 20;
    byte[] bytes = Files.readAllBytes(in);
    long badAt = 2 * range + 12_345;
    while (bytes[(int) badAt - 1] != '\n') {
      badAt++;
    }
    bytes[(int) badAt] = '#';
    Files.write(in, bytes);
    long line = 0; // lines starting in [2 * range, badAt]
    for (long at = 2 * range; at <= badAt; at++) {
      if (bytes[(int) at - 1] == '\n') {
        line++;
      }
    }
    ShardyLauncher.Run bad = ShardyLauncher.run(tmp, "build", "--input=" + in,
        "--key-field=id", "--value-field=v", "--num-dbs=4",
        "--output=" + tmp.resolve("out-bad").toUri(), "--temp-dir=" + tmp.resolve("build2"),
        "--runner=DirectRunner");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("big.jsonl@" + 2 * range + ":" + line)
        .contains("not valid JSON");
  }

  private static String tail(String s) {
    return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
  }
}
