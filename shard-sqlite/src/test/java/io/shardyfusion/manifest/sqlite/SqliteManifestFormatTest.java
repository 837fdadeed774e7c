package io.shardyfusion.manifest.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.ShardingMeta;
import io.shardyfusion.routing.ShardingSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

class SqliteManifestFormatTest {
  private static final Path GOLDEN = Path.of("..", "interop", "python-snapshots", "golden")
      .toAbsolutePath().normalize();
  private static final String SOURCE = "s3://b/p/manifests/x/manifest";
  private final ManifestFormat format = ManifestFormats.forName("sqlite-v4");

  @TempDir Path tmp;

  private static byte[] pythonManifest(String snapshot) throws Exception {
    try (Stream<Path> files = Files.walk(GOLDEN.resolve(snapshot).resolve("manifests"))) {
      return Files.readAllBytes(files.filter(p -> p.getFileName().toString().equals("manifest"))
          .findFirst().orElseThrow());
    }
  }

  @Test
  void readsAManifestThePythonSystemWrote() throws Exception {
    byte[] bytes = pythonManifest("u64-hash8");
    assertThat(ManifestFormats.detect(bytes, SOURCE)).isSameAs(format);
    Manifest m = ManifestFormats.decode(bytes, SOURCE);
    BuildMeta r = m.required();
    assertThat(r.numDbs()).isEqualTo(8);
    assertThat(r.keyEncoding()).isEqualTo("u64be");
    assertThat(r.formatVersion()).isEqualTo(4);
    assertThat(r.shardFormat()).isEqualTo("sqlite");
    assertThat(r.dbPathTemplate()).isEqualTo("db={db_id:05d}");
    assertThat(r.shardPrefix()).isEqualTo("shards");
    assertThat(r.keyCol()).isEqualTo("_key");
    assertThat(m.shardingSpec()).isEqualTo(ShardingSpec.hash());
    assertThat(m.custom()).containsEntry("team", "data").containsKey("sqlite_sidecar");
    assertThat(m.shards()).hasSize(8).allSatisfy(s -> {
      assertThat(s.dbUrl()).endsWith("/attempt=00").doesNotEndWith("/");
      assertThat(s.attempt()).isEqualTo("0");
      assertThat(s.files()).containsExactly(new ShardFile("shard.db", s.dbBytes(), null));
    });
    assertThat(m.totalRows()).isEqualTo(600);
  }

  @Test
  void whatThisProjectWritesReadsBackWithItsExtensions() {
    Manifest m = new Manifest(new BuildMeta("run1", Instant.parse("2026-12-01T20:49:51.172970Z"),
        4, "s3://b/p", "id", ShardingMeta.of(ShardingSpec.hash()), "db={db_id:05d}", "shards",
        1, "u64be", "rocksdb"),
        List.of(new ShardMeta(2, "s3://b/p/shards/run_id=run1/db=00002/attempt=00", "0", 7, 300,
            3L, 99L, List.of(new ShardFile("000001.sst", 280, "0a0b0c0d"),
                new ShardFile("CURRENT", 20, "01020304")),
            new ShardMeta.WriterInfo(null, null, 12), "00112233445566778899aabbccddeeff")),
        Map.of("team", "x"));
    Manifest back = format.decode(format.encode(m), SOURCE);
    assertThat(back.required().shardFormat()).isEqualTo("rocksdb");
    assertThat(back.required().createdAt()).isEqualTo(m.required().createdAt());
    assertThat(back.required().formatVersion()).isEqualTo(4);
    assertThat(back.custom()).isEqualTo(Map.of("team", "x"));
    ShardMeta s = back.shards().get(0);
    assertThat(s.files()).isEqualTo(m.shards().get(0).files());
    assertThat(s.contentHash()).isEqualTo("00112233445566778899aabbccddeeff");
    assertThat(s.minKey()).isEqualTo(3);
    assertThat(s.rowCount()).isEqualTo(7);
  }

  private byte[] edited(String snapshot, String... sql) throws Exception {
    try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite::memory:", new Properties())) {
      ((SQLiteConnection) c).deserialize("main", pythonManifest(snapshot));
      try (Statement s = c.createStatement()) {
        for (String q : sql) {
          s.execute(q);
        }
      }
      return ((SQLiteConnection) c).serialize("main");
    }
  }

  private void assertRefused(byte[] bytes, String fragment) {
    assertThatThrownBy(() -> ManifestFormats.decode(bytes, SOURCE))
        .isInstanceOfSatisfying(ManifestParseException.class,
            e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining(SOURCE).hasMessageContaining(fragment);
  }

  @Test
  void hostileAndForeignManifestsAreRefusedClearly() throws Exception {
    assertRefused(edited("u64-hash8", "UPDATE build_meta SET format_version = 5"),
        "format_version 5 is not supported");
    assertRefused(edited("u64-hash8", "UPDATE build_meta SET sharding = "
        + "'{\"strategy\":\"hash\",\"hash_algorithm\":\"xxh3_64\",\"salt\":1}'"),
        "has field(s) [salt] this reader does not understand");
    assertRefused(edited("u64-hash8", "UPDATE build_meta SET sharding = "
        + "'{\"strategy\":\"cel\",\"cel_expr\":\"key\",\"hash_algorithm\":\"xxh3_64\","
        + "\"routing_values\":[1,2]}'"), "num_dbs is 8 but sharding lists 2 routing values");
    assertRefused(edited("u64-hash8", "UPDATE build_meta SET sharding = "
        + "'{\"strategy\":\"cel\",\"cel_expr\":\"key\",\"hash_algorithm\":\"xxh3_64\","
        + "\"routing_values\":[1,2,3,4,5,6,7,1]}'"), "are the same token (1)");
    assertRefused(edited("u64-hash8", "UPDATE shards SET db_id = 9 WHERE db_id = 7"),
        "db_id=9 is outside 0..7");
    assertRefused(edited("u64-hash8", "UPDATE shards SET db_bytes = -1 WHERE db_id = 0"),
        "db_bytes is negative");
    assertRefused(edited("u64-hash8", "DROP TABLE shards"), "without the manifest tables");
    assertRefused(edited("u64-hash8", "DELETE FROM build_meta"), "build_meta has no row");
    assertRefused(edited("u64-hash8", "UPDATE build_meta SET num_dbs = 0"),
        "num_dbs 0 is outside 1..");
    assertRefused(edited("u64-hash8", "UPDATE build_meta SET sharding = 'not json'"),
        "build_meta.sharding is not a JSON object");
    byte[] cut = pythonManifest("u64-hash8");
    assertRefused(java.util.Arrays.copyOf(cut, 1000), "SQLite manifest");
  }
}
