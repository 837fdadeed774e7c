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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/shardy build} on the runners bundle's classpath (Spark's and Flink's jars beside
 * cel-java), as users run it: a CEL expression compiles there (Spark brings an ANTLR runtime
 * that cel-java's parser cannot use; the build pins the one it needs), and categorical CEL
 * routing with SQLite shards publishes on Spark and Flink.
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
}
