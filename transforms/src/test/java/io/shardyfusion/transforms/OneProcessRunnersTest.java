package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class OneProcessRunnersTest {
  private static final String FLINK = OneProcessRunners.FLINK;
  private static final String SPARK = OneProcessRunners.SPARK;

  @Test
  void embeddedMastersRunInThisProcess() {
    assertThat(OneProcessRunners.isOneProcess(FLINK, "[local]")).isTrue();
    assertThat(OneProcessRunners.isOneProcess(FLINK, " [LOCAL] ")).isTrue();
    assertThat(OneProcessRunners.isOneProcess(SPARK, "local")).isTrue();
    assertThat(OneProcessRunners.isOneProcess(SPARK, "local[2]")).isTrue();
    assertThat(OneProcessRunners.isOneProcess(SPARK, "local[*]")).isTrue();
    assertThat(OneProcessRunners.isOneProcess(OneProcessRunners.DIRECT, null)).isTrue();
  }

  @Test
  void clustersAndUnknownsAreDistributed() {
    assertThat(OneProcessRunners.isOneProcess(FLINK, "[auto]")).isFalse();
    assertThat(OneProcessRunners.isOneProcess(FLINK, "127.0.0.1:8081")).isFalse();
    assertThat(OneProcessRunners.isOneProcess(FLINK, null)).isFalse();
    assertThat(OneProcessRunners.isOneProcess(SPARK, "spark://10.0.0.1:7077")).isFalse();
    assertThat(OneProcessRunners.isOneProcess(SPARK, "yarn")).isFalse();
    assertThat(OneProcessRunners.isOneProcess(SPARK, "local-cluster[2,1,1024]")).isFalse();
    assertThat(OneProcessRunners.isOneProcess(SPARK, "k8s://https://api:6443")).isFalse();
    assertThat(OneProcessRunners.isOneProcess("com.example.OtherRunner", "local[2]")).isFalse();
  }

  @Test
  void aRunnerWithoutAMasterOptionIsDistributed() {
    var options = PipelineOptionsFactory.create();
    options.setRunner(org.apache.beam.sdk.testing.CrashingRunner.class);
    assertThat(OneProcessRunners.inThisProcess(options)).isFalse();
  }
}
