package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * utf8 and raw snapshots on {@code file://}: keys typed as text or as hex/base64, binary values
 * printed as base64, and {@code --cache-dir} keeping the shards after exit.
 */
class KeyEncodingsTest {
  @TempDir Path tmp;

  private String publish(String name, String encoding, List<?> keys) {
    Path store = tmp.resolve(name);
    WriteConfig cfg = WriteConfig.builder().numDbs(3).s3Prefix(store.toUri().toString())
        .keyEncoding(encoding).tempDir(tmp.resolve("build")).runId(name).build();
    SnapshotWriter.writeSharded(keys, cfg, k -> k, KeyEncodingsTest::valueOf,
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
    return store.toUri() + "_CURRENT";
  }

  private static byte[] valueOf(Object key) {
    return key instanceof byte[] b ? new byte[] {(byte) 0xff, b[0]}
        : ("v:" + key).getBytes(StandardCharsets.UTF_8);
  }

  private CliRun cli(String currentUrl, String... args) {
    return CliRun.inProcess(tmp, Map.of("SHARDY_CURRENT", currentUrl), "", List.of(args));
  }

  @Test
  void utf8KeysAreStrings() {
    String url = publish("people", "utf8", List.of("alice", "bob b", "42"));
    CliRun r = cli(url, "multiget", "--strict", "bob b", "42", "carol");
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    List<JsonNode> rows = r.jsonl();
    assertThat(rows.get(0).get("key").asText()).isEqualTo("bob b");
    assertThat(rows.get(0).get("value").asText()).isEqualTo("v:bob b");
    assertThat(rows.get(1).get("key").isTextual()).as("'42' stays a string").isTrue();
    assertThat(rows.get(1).get("value").asText()).isEqualTo("v:42");
    assertThat(rows.get(2).get("found").asBoolean()).isFalse();
    assertThat(cli(url, "--output-format", "json", "info").json().get("key_encoding").asText())
        .isEqualTo("utf8");
  }

  @Test
  void rawKeysTakeHexOrBase64AndBinaryValuesPrintAsBase64() throws Exception {
    String url = publish("blobs", "raw", List.of(new byte[] {1, 2}, new byte[] {10}));
    Path cache = tmp.resolve("cache");
    CliRun hex = cli(url, "--cache-dir", cache.toString(), "get", "hex:0102");
    assertThat(hex.code()).as(hex.toString()).isZero();
    JsonNode row = hex.jsonl().get(0);
    assertThat(row.get("key").asText()).isEqualTo("hex:0102");
    assertThat(row.get("value").asText()).isEqualTo("/wE="); // ff 01
    assertThat(row.get("value_encoding").asText()).isEqualTo("base64");
    try (var files = Files.walk(cache)) {
      assertThat(files.filter(Files::isRegularFile).count()).as("--cache-dir is kept")
          .isPositive();
    }

    assertThat(cli(url, "--output-format", "text", "get", "--value-format", "hex", "base64:Cg==")
        .out()).isEqualTo("ff0a\n");
    CliRun bare = cli(url, "get", "0102");
    assertThat(bare.code()).isEqualTo(2);
    assertThat(bare.err()).contains("hex:0a1b");
  }
}
