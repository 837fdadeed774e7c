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
 * routing with SQLite shards publishes on Spark and Flink; and one JSON Lines file twice the size
 * of the heap builds on the Direct runner, the README's default.
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
   * One JSON Lines file of 1.5M lines (about 190 MB) through {@code bin/shardy build} on the
   * Direct runner in {@code -Xmx400m}: the file is cut into 16 MiB ranges that ShardedWrite's
   * routing step reads itself, so no step outputs the records. Read by a step of its own (as
   * before), the Direct runner held over a million records at once and ran out of memory here.
   * Every line is stored once, and a bad line in the third range is named by that range's first
   * byte and its line in it, which points at it exactly.
   */
  @Test
  void oneJsonlFileLargerThanTheHeapBuildsOnTheDirectRunner() throws Exception {
    int rows = 1_500_000;
    Path in = tmp.resolve("big.jsonl");
    String pad = "v".repeat(100);
    try (var w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
      for (int i = 0; i < rows; i++) {
        w.write("{\"id\": " + i + ", \"v\": \"" + pad + i + "\"}\n");
      }
    }
    assertThat(Files.size(in)).as("about half the heap").isGreaterThan(180L << 20);
    String out = tmp.resolve("out").toUri().toString();
    Map<String, String> smallHeap =
        Map.of("SHARDY_JAVA_OPTS", "-Xmx400m -XX:+ExitOnOutOfMemoryError");

    ShardyLauncher.Run r = ShardyLauncher.run(tmp, smallHeap, "build", "--input=" + in,
        "--key-field=id", "--value-field=v", "--num-dbs=4", "--output=" + out,
        "--temp-dir=" + tmp.resolve("build"), "--runner=DirectRunner");

    assertThat(r.code()).as("exit code (3: out of memory); stdout ends: %s; stderr ends: %s",
        tail(r.out()), tail(r.err())).isZero();
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(out)
        .localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.snapshotInfo().totalRows()).as("every line once").isEqualTo(rows);
      for (int i = 0; i < rows; i += 99_991) {
        assertThat(new String(reader.get((long) i), StandardCharsets.UTF_8))
            .isEqualTo(pad + i);
      }
    }

    // A bad line in the third range: named by that range's first byte and its line there.
    long range = 16L << 20;
    long from = 2 * range - 1; // a window around the cut, lines are ~130 bytes
    byte[] window = new byte[20_000];
    long badAt;
    long line = 0; // lines starting in [2 * range, badAt]
    try (var f = new java.io.RandomAccessFile(in.toFile(), "rw")) {
      f.seek(from);
      f.readFully(window);
      int at = (int) (2 * range + 12_345 - from);
      while (window[at - 1] != '\n') {
        at++;
      }
      badAt = from + at;
      for (int i = 1; i <= at; i++) {
        if (window[i - 1] == '\n') {
          line++;
        }
      }
      f.seek(badAt);
      f.write('#');
    }
    ShardyLauncher.Run bad = ShardyLauncher.run(tmp, smallHeap, "build", "--input=" + in,
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
