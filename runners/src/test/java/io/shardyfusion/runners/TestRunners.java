package io.shardyfusion.runners;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.writer.WriteConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Pipeline options for each runner as a user would pass them, and store helpers. */
final class TestRunners {
  private TestRunners() {}

  /** The runners under test, with the flags DESIGN.md measured. */
  enum Kind {
    DIRECT("--runner=DirectRunner", "--targetParallelism=2"),
    FLINK("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"),
    SPARK("--runner=SparkRunner", "--sparkMaster=local[2]",
        "--preferGroupByKeyToHandleHugeValues=true", "--enableSparkMetricSinks=false");

    final List<String> args;

    Kind(String... args) {
      this.args = List.of(args);
    }
  }

  static PipelineOptions options(Kind kind, String... extra) {
    List<String> all = new ArrayList<>();
    for (String a : kind.args) {
      String name = a.substring(0, a.indexOf('=') + 1);
      if (Arrays.stream(extra).noneMatch(x -> x.startsWith(name))) {
        all.add(a); // unless overridden
      }
    }
    all.addAll(Arrays.asList(extra));
    return PipelineOptionsFactory.fromArgs(all.toArray(String[]::new)).withValidation().create();
  }

  static Pipeline pipeline(Kind kind, String... extra) {
    return Pipeline.create(options(kind, extra));
  }

  /** Runs {@code p} to completion and asserts it finished. */
  static void runToDone(Pipeline p) {
    PipelineResult.State state = p.run().waitUntilFinish();
    assertThat(state).isEqualTo(PipelineResult.State.DONE);
  }

  static ObjectStore store(WriteConfig config) {
    return ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
  }

  static CurrentPointer current(ObjectStore store) {
    return ManifestCodec.parseCurrent(store.get(SnapshotLayout.CURRENT), SnapshotLayout.CURRENT);
  }

  /** The manifest {@code _CURRENT} names. */
  static Manifest currentManifest(WriteConfig config) {
    try (ObjectStore store = store(config)) {
      String ref = current(store).manifestRef();
      return ManifestFormats.decode(store.get(store.keyOf(ref)), ref);
    }
  }
}
