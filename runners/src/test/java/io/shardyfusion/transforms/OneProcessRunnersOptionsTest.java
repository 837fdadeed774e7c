package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.testing.IntegrationTest;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The detection read from real Flink and Spark options, as the launchers parse them. */
@IntegrationTest
class OneProcessRunnersOptionsTest {
  @ParameterizedTest
  @CsvSource({
      "--runner=DirectRunner, --targetParallelism=2, true",
      "--runner=FlinkRunner, --flinkMaster=[local], true",
      "--runner=FlinkRunner, --flinkMaster=[auto], false",
      "--runner=FlinkRunner, --flinkMaster=127.0.0.1:8081, false",
      "--runner=SparkRunner, --sparkMaster=local[2], true",
      "--runner=SparkRunner, --sparkMaster=spark://127.0.0.1:7077, false",
  })
  void masterDecides(String runner, String master, boolean oneProcess) {
    assertThat(OneProcessRunners.inThisProcess(
        PipelineOptionsFactory.fromArgs(runner, master).create())).isEqualTo(oneProcess);
  }

  @ParameterizedTest
  @CsvSource({"--runner=FlinkRunner, false", "--runner=SparkRunner, true"})
  void defaultMasters(String runner, boolean oneProcess) {
    // Flink's default is [auto] (resolved at submission: maybe a cluster); Spark's is local[4].
    assertThat(OneProcessRunners.inThisProcess(PipelineOptionsFactory.fromArgs(runner).create()))
        .isEqualTo(oneProcess);
  }

  /** spark-submit --master yarn sets spark.master for the driver; Beam's Spark runner obeys it. */
  @org.junit.jupiter.api.Test
  void theMasterSparkSubmitSetsWinsOverSparkMaster() {
    String before = System.getProperty("spark.master");
    try {
      System.setProperty("spark.master", "yarn");
      assertThat(OneProcessRunners.inThisProcess(PipelineOptionsFactory
          .fromArgs("--runner=SparkRunner", "--sparkMaster=local[2]").create())).isFalse();
      System.setProperty("spark.master", "local[2]");
      assertThat(OneProcessRunners.inThisProcess(PipelineOptionsFactory
          .fromArgs("--runner=SparkRunner", "--sparkMaster=spark://10.0.0.1:7077").create()))
          .isTrue();
    } finally {
      if (before == null) {
        System.clearProperty("spark.master");
      } else {
        System.setProperty("spark.master", before);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aProvidedSparkContextIsTreatedAsDistributed() {
    assertThat(OneProcessRunners.inThisProcess(PipelineOptionsFactory.fromArgs(
        "--runner=SparkRunner", "--sparkMaster=local[2]", "--usesProvidedSparkContext=true")
        .create())).isFalse();
  }
}
