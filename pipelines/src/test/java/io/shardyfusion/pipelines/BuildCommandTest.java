package io.shardyfusion.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** How shardy build turns its command line into the Beam job's arguments. */
class BuildCommandTest {
  final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  @Test
  void runnerOptionsPassThroughJoinedAndInBeamSpelling() {
    assertThat(BuildCommand.passThroughArgs(List.of("--runner", "FlinkRunner",
        "--flink-master=[local]", "--parallelism=2", "--streaming"), err))
        .containsExactly("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2",
            "--streaming");
    assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void sparkGetsTheStreamingGroupOptionUnlessGiven() {
    assertThat(BuildCommand.passThroughArgs(List.of("--runner=SparkRunner"), err))
        .containsExactly("--runner=SparkRunner", "--preferGroupByKeyToHandleHugeValues=true");
    assertThat(BuildCommand.passThroughArgs(List.of("--runner=SparkRunner",
        "--prefer-group-by-key-to-handle-huge-values=false"), err))
        .containsExactly("--runner=SparkRunner", "--preferGroupByKeyToHandleHugeValues=false");
  }

  @Test
  void deprecatedS3SpellingsStillPassButWarn() {
    assertThat(BuildCommand.passThroughArgs(List.of("--s3-endpoint-url", "http://h:1"), err))
        .containsExactly("--s3EndpointUrl=http://h:1");
    assertThat(errBytes.toString(StandardCharsets.UTF_8))
        .contains("--s3-endpoint-url is deprecated; use --s3-option");
  }

  @Test
  void everyJobOptionIsABuildSnapshotOptionInKebabCase() {
    CommandSpec spec = BuildCommand.spec();
    OptionSpec keyField = spec.findOption("--key-field");
    assertThat(keyField).isNotNull();
    assertThat(keyField.description()[0]).startsWith("Field holding each record's key");
    assertThat(spec.findOption("--sort-buffer-mb").description()[0]).endsWith("(default: 64)");
    assertThat(spec.findOption("--s3-endpoint-url")).as("deprecated: not listed").isNull();
    assertThat(spec.findOption("--max-writes-per-second").description()[0])
        .contains("for the whole job").endsWith("(default: 0)");
    assertThat(spec.findOption("--max-write-bytes-per-second")).isNotNull();
    assertThat(BuildCommand.camel("--manifest-store-password-env"))
        .isEqualTo("--manifestStorePasswordEnv");
    assertThat(BuildCommand.kebab("manifestStorePasswordEnv"))
        .isEqualTo("--manifest-store-password-env");
  }
}
