package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Snapshots the Python system wrote (SQLite manifests of format_version 4, SQLite shards),
 * served by a real S3 server from bucket {@code golden}, read through {@link ShardedReader}:
 * every key's value and shard as recorded, absent keys absent, history as listed.
 */
@UsesS3Proxy
class PythonSnapshotsTest {
  private static final Path DATA = Path.of("..", "interop", "python-snapshots").toAbsolutePath()
      .normalize();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path tmp;

  /** Copies golden/ into the server's data directory as bucket "golden" (once per server). */
  @BeforeAll
  static void serveGolden(S3ProxyServer s3) throws IOException {
    s3.serveDirectoryAsBucket("golden", DATA.resolve("golden"));
  }


  private ReaderConfig.Builder reader(S3ProxyServer s3, String name) {
    return ReaderConfig.builder().s3Prefix("s3://golden/" + name)
        .localRoot(tmp.resolve("cache-" + name))
        .credentialProvider(TestSnapshots.credentials(s3))
        .s3ConnectionOptions(TestSnapshots.s3Options(s3));
  }

  /** A key of expected/*.jsonl in the form the reader takes for the snapshot's encoding. */
  private static Object key(JsonNode k) {
    if (k.isIntegralNumber()) {
      return k.longValue();
    }
    String s = k.textValue();
    return s.startsWith("hex:") ? HEX.parseHex(s.substring(4)) : s;
  }

  private static List<JsonNode> lines(String file) throws IOException {
    return Files.readAllLines(DATA.resolve("expected").resolve(file), StandardCharsets.UTF_8)
        .stream().filter(l -> !l.isBlank()).map(l -> {
          try {
            return JSON.readTree(l);
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        }).toList();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"u64-hash8", "utf8-hash8", "u32-hash5", "raw-hash4", "u64-history3",
      "u64-pagesize", "u64-sparse8"})
  void everyKeyReadsWithItsValueAndShard(String name, S3ProxyServer s3) throws IOException {
    JsonNode meta = JSON.readTree(DATA.resolve("expected").resolve(name + ".meta.json").toFile());
    List<JsonNode> expected = lines(name + ".jsonl");
    assertThat(expected).hasSize(meta.get("total_rows").asInt());
    try (ShardedReader reader = ShardedReader.open(reader(s3, name).build())) {
      SnapshotInfo info = reader.snapshotInfo();
      assertThat(info.runId()).isEqualTo(meta.get("run_id").asText());
      assertThat(info.manifestRef()).isEqualTo(meta.get("manifest_ref").asText());
      assertThat(info.numDbs()).isEqualTo(meta.get("num_dbs").asInt());
      assertThat(info.totalRows()).isEqualTo(meta.get("total_rows").asLong());
      assertThat(reader.manifest().required().shardFormat()).isEqualTo("sqlite");
      assertThat(reader.manifest().custom()).containsKey("sqlite_sidecar");
      for (JsonNode line : expected) {
        Object k = key(line.get("key"));
        byte[] want = HEX.parseHex(line.get("value_hex").asText());
        assertThat(reader.get(k)).as("value of %s", line.get("key")).isEqualTo(want);
        assertThat(reader.routeKey(k)).as("shard of %s", line.get("key"))
            .isEqualTo(line.get("db_id").asInt());
      }
      for (JsonNode absent : meta.get("absent_keys")) {
        assertThat(reader.get(key(absent))).as("absent %s", absent).isNull();
      }
      List<Object> keys = expected.stream().map(l -> key(l.get("key"))).toList();
      List<byte[]> batch = reader.multiGetList(keys);
      for (int i = 0; i < keys.size(); i++) {
        assertThat(batch.get(i)).isEqualTo(HEX.parseHex(expected.get(i).get("value_hex")
            .asText()));
      }
    }
  }

  @Test
  void historyListsThePythonManifestsNewestFirstAndOlderRunsReadThroughTheirManifests(
      S3ProxyServer s3) throws IOException {
    JsonNode meta = JSON.readTree(DATA.resolve("expected/u64-history3.meta.json").toFile());
    List<String> want = java.util.stream.StreamSupport.stream(
        meta.get("manifests_newest_first").spliterator(), false)
        .map(m -> m.get("manifest_ref").asText()).toList();
    ReaderConfig base = reader(s3, "u64-history3").build();
    try (ObjectStore store = ObjectStores.open(base.s3Prefix(), base.s3ConnectionOptions(),
        base.credentialProvider())) {
      List<ManifestEntry> history = new ObjectStoreManifestStore(store).listManifests(10);
      assertThat(history).extracting(ManifestEntry::ref).containsExactlyElementsOf(want);
      assertThat(history).allMatch(ManifestEntry::valid);
    }
    for (JsonNode run : meta.get("runs")) {
      int index = run.get("run_index").asInt();
      try (ShardedReader pinned = ShardedReader.open(reader(s3, "u64-history3")
          .localRoot(tmp.resolve("pinned-" + index))
          .pinnedManifestRef(run.get("manifest_ref").asText()).build())) {
        for (JsonNode line : lines("u64-history3.runs.jsonl")) {
          if (line.get("run_index").asInt() == index) {
            assertThat(pinned.get(key(line.get("key"))))
                .isEqualTo(HEX.parseHex(line.get("value_hex").asText()));
          }
        }
      }
    }
  }
}
