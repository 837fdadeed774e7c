package io.shardyfusion.runners;

import io.shardyfusion.bench.BenchData;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.runners.TestRunners.Kind;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Path;
import java.util.BitSet;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Many shards complete on Flink and Spark: every shard with data wins once and reads back. */
@IntegrationTest
class ScaleTest {
  private static final int ROWS = 50_000;
  private static final int VALUE_BYTES = 32;

  @TempDir Path tmp;

  /** runsThroughShuffle: the cluster path (runs as shuffle blocks) beside the embedded default. */
  @ParameterizedTest(name = "{0} numDbs={1} runsThroughShuffle={2}")
  @CsvSource({"FLINK,8,false", "FLINK,64,true", "FLINK,256,false", "SPARK,8,true",
      "SPARK,64,false", "SPARK,256,true"})
  void manyShardsComplete(Kind kind, int numDbs, boolean runsThroughShuffle) throws Exception {
    WriteConfig config = WriteConfig.builder().numDbs(numDbs)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build"))
        .build();
    Pipeline p = TestRunners.pipeline(kind);
    GenerateSnapshotJob.addWrite(p, config, ROWS, VALUE_BYTES, 64, runsThroughShuffle);
    TestRunners.runToDone(p);

    ShardRouter router = ShardRouters.create(ShardingSpec.hash(), numDbs, KeyEncoding.U64BE);
    BitSet withData = new BitSet();
    for (long i = 0; i < ROWS; i++) {
      withData.set(router.route(BenchData.key(i)));
    }
    Manifest m = TestRunners.currentManifest(config);
    assertThat(m.numDbs()).isEqualTo(numDbs);
    assertThat(m.totalRows()).isEqualTo(ROWS);
    assertThat(m.shards()).hasSize(withData.cardinality())
        .extracting(ShardMeta::dbId).doesNotHaveDuplicates()
        .allSatisfy(db -> assertThat(withData.get(db)).isTrue());

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      for (long i = 0; i < ROWS; i += 97) {
        long key = BenchData.key(i);
        assertThat(reader.get(key)).isEqualTo(BenchData.value(key, VALUE_BYTES));
      }
    }
  }
}
