package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shardy health} through the launcher, beyond age (LauncherPythonFilesTest): a current
 * snapshot that cannot be served is unhealthy (exit 2) with the reason naming it, while the
 * earlier one, pinned with {@code --ref}, is healthy; nothing published is unhealthy too, in
 * JSON.
 */
@IntegrationTest
class LauncherHealthTest {
  @TempDir Path tmp;

  private BuildResult write(Path store, String runId) {
    return SnapshotWriter.writeSharded(LongStream.range(0, 10).boxed().toList(),
        WriteConfig.builder().numDbs(2).s3Prefix(store.toUri().toString()).manifestFormat("json")
            .tempDir(tmp.resolve("build")).runId(runId).build(), k -> k,
        k -> ("v-" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
  }

  @Test
  void anUnservableOrMissingSnapshotIsUnhealthyWithTheReason()
      throws Exception {
    Path store = tmp.resolve("store");
    BuildResult r1 = write(store, "r1");
    BuildResult r2 = write(store, "r2");
    LocalObjectStore files = new LocalObjectStore(store);
    files.put(files.keyOf(r2.manifestRef()), "{\"required\": [".getBytes(StandardCharsets.UTF_8),
        ManifestCodec.JSON_CONTENT_TYPE);
    Map<String, String> env = Map.of("SHARDY_CURRENT", store.toUri() + "_CURRENT");

    // The CLI reads exactly the snapshot asked for (no fallback to r1): unservable = unhealthy.
    CliRun broken = Launcher.run(tmp, env, "", "--output-format", "json", "health");
    assertThat(broken.code()).as(broken.toString()).isEqualTo(2);
    JsonNode h = broken.json();
    assertThat(h.get("status").asText()).isEqualTo("unhealthy");
    assertThat(h.get("reasons")).hasSize(1);
    assertThat(h.get("reasons").get(0).asText()).contains(r2.manifestRef())
        .contains("malformed manifest");

    CliRun young = Launcher.run(tmp, env, "", "--output-format", "json", "--ref",
        r1.manifestRef(), "health", "--max-staleness", "1h");
    assertThat(young.code()).as("the earlier snapshot, pinned: " + young).isZero();
    assertThat(young.json().get("run_id").asText()).isEqualTo("r1");
    assertThat(young.json().get("reasons")).isEmpty();

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    CliRun unhealthy = Launcher.run(tmp, Map.of("SHARDY_CURRENT", empty.toUri() + "_CURRENT"),
        "", "--output-format", "json", "health");
    assertThat(unhealthy.code()).as(unhealthy.toString()).isEqualTo(2);
    JsonNode u = unhealthy.json();
    assertThat(u.get("status").asText()).isEqualTo("unhealthy");
    assertThat(u.get("reasons").get(0).asText()).contains("no snapshot is published");
  }
}
