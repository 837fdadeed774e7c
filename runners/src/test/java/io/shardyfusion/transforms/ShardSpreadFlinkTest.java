package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.flink.util.MathUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ShardSpread} against Flink's own partitioning, computed and on the real runner. */
@IntegrationTest
class ShardSpreadFlinkTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} shards over {1} tasks")
  @CsvSource({"8,2", "8,3", "64,7", "256,20", "1000,64"})
  void everyTaskGetsItsShareOfTheShards(int shards, int tasks) throws Exception {
    ShardSpread spread = ShardSpread.flink(tasks);
    int[] perTask = new int[tasks];
    for (int s = 0; s < shards; s++) {
      int key = spread.keyOf(s);
      assertThat(ShardSpread.shardOf(key)).isEqualTo(s);
      int hash = Arrays.hashCode(CoderUtils.encodeToByteArray(VarIntCoder.of(), key));
      perTask[MathUtils.murmurHash(hash) % tasks]++;
    }
    assertThat(Arrays.stream(perTask).max().getAsInt() - Arrays.stream(perTask).min().getAsInt())
        .as("shards per task %s", Arrays.toString(perTask)).isLessThanOrEqualTo(1);
  }

  /**
   * 8 shards on Flink [local] p=2: each of the two build tasks (named by Flink "(i/2)") builds
   * 4 of them. With the shard ids as keys one task built 6.
   */
  @Test
  void onFlinkEachBuildTaskBuildsHalfOfEightShards() throws Exception {
    WriteConfig config = WriteConfig.builder().numDbs(8)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
        .build();
    String seen = tmp.resolve("threads").toString();
    ShardedWrite<Long> write = ShardedWrite.<Long>to(config).withKeyFn(i -> i)
        .withValueFn(i -> new byte[] {1}).withAttemptHook(attempt -> {
          try {
            Files.writeString(Paths.get(seen), Thread.currentThread().getName() + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=FlinkRunner",
        "--flinkMaster=[local]", "--parallelism=2").create());
    p.apply(GenerateSequence.from(0).to(10_000)).apply(write);
    assertThat(p.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);

    Map<String, Integer> perTask = new TreeMap<>();
    Pattern task = Pattern.compile("\\((\\d+/\\d+)\\)");
    for (String thread : Files.readAllLines(Paths.get(seen))) {
      Matcher m = task.matcher(thread);
      assertThat(m.find()).as("a Flink task thread: %s", thread).isTrue();
      perTask.merge(m.group(1), 1, Integer::sum);
    }
    assertThat(perTask).isEqualTo(Map.of("1/2", 4, "2/2", 4));
  }
}
