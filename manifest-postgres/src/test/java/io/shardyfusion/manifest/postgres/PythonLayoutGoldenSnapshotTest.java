package io.shardyfusion.manifest.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.manifest.postgres.PythonLayoutInteropTest.PyShard;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesPostgres;
import io.shardyfusion.testing.UsesS3Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot the Python system wrote (interop/python-snapshots, shards on a real S3 server),
 * its manifest published to PostgreSQL the way the Python store publishes it (the rows taken
 * from the Python writer's own manifest with plain SQLite, inserted with the Python store's
 * SQL), read key by key through ShardedReader on the Python layout.
 */
@UsesPostgres
@UsesS3Proxy
class PythonLayoutGoldenSnapshotTest {
  private static final Path DATA = Path.of("..", "interop", "python-snapshots").toAbsolutePath()
      .normalize();
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @BeforeAll
  static void servers(PostgresServer pg, S3ProxyServer s3) throws Exception {
    PythonLayoutInteropTest.pg = pg;
    PythonLayoutInteropTest.database = pg.createDatabase("pygolden");
    s3.serveDirectoryAsBucket("golden", DATA.resolve("golden"));
  }

  @Test
  void everyKeyOfAPythonSnapshotPublishedToPostgresReads(S3ProxyServer s3) throws Exception {
    String name = "u64-hash8";
    Path manifest;
    try (Stream<Path> files = Files.walk(DATA.resolve("golden").resolve(name)
        .resolve("manifests"))) {
      manifest = files.filter(p -> p.getFileName().toString().equals("manifest")).findFirst()
          .orElseThrow();
    }
    String t = PythonLayoutInteropTest.tables();
    String pointer = t + "_pointer";
    PythonLayoutInteropTest.pythonCreateTables(t, pointer);
    String runId;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + manifest
        + "?mode=ro&immutable=1"); Statement st = c.createStatement()) {
      List<PyShard> shards = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT db_id, db_url, attempt, row_count, db_bytes,"
          + " checkpoint_id, min_key, max_key, writer_info FROM shards ORDER BY db_id")) {
        while (rs.next()) {
          shards.add(new PyShard(rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
              rs.getLong(5), rs.getString(6), rs.getString(7), rs.getString(8),
              rs.getString(9)));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT run_id, created_at, num_dbs, s3_prefix, "
          + "key_encoding, sharding, custom FROM build_meta")) {
        rs.next();
        runId = rs.getString(1);
        PythonLayoutInteropTest.pythonPublish(t, pointer, runId, rs.getString(2), rs.getInt(3),
            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), shards);
      }
    }

    PostgresConfig config = PgFixture.pythonConfig(PythonLayoutInteropTest.pg,
        PythonLayoutInteropTest.database).tableName(t).pointerTable(pointer).build();
    List<String> expected = Files.readAllLines(DATA.resolve("expected").resolve(name
        + ".jsonl"), StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix("s3://golden/" + name).localRoot(tmp.resolve("cache"))
        .credentialProvider(new StaticCredentialProvider(s3.accessKey(), s3.secretKey()))
        .s3ConnectionOptions(S3ConnectionOptions.builder().endpointUrl(s3.endpoint())
            .addressingStyle("path").region(s3.region()).build())
        .manifestStore(PostgresManifestStore.factory(config)).build())) {
      assertThat(reader.snapshotInfo().runId()).isEqualTo(runId);
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(runId);
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(expected.size());
      assertThat(reader.manifest().custom()).containsEntry("team", "data");
      for (String line : expected) {
        JsonNode l = JSON.readTree(line);
        long key = l.get("key").longValue();
        assertThat(reader.get(key)).as("value of %s", key)
            .isEqualTo(HexFormat.of().parseHex(l.get("value_hex").asText()));
        assertThat(reader.routeKey(key)).isEqualTo(l.get("db_id").asInt());
      }
    }
  }
}
