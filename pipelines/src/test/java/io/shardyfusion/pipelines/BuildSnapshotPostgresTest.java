package io.shardyfusion.pipelines;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.manifest.postgres.PostgresConfig;
import io.shardyfusion.manifest.postgres.PostgresManifestStore;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.UsesPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Beam job publishing its manifest to PostgreSQL (--manifestStore) on the Direct runner. */
@UsesPostgres
class BuildSnapshotPostgresTest {
  @TempDir Path tmp;

  @Test
  void publishesToPostgresAndPrintsWhatWasPublishedThere(PostgresServer pg) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      lines.add("{\"id\": " + i + ", \"name\": \"user " + i + "\"}");
    }
    Path in = tmp.resolve("users.jsonl");
    Files.write(in, lines, UTF_8);
    String url = pg.jdbcUrl(pg.createDatabase("pipeline"));
    String prefix = tmp.resolve("store").toUri().toString();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = BuildSnapshot.run(new String[] {"--input=" + in, "--keyField=id",
        "--valueField=name", "--numDbs=3", "--output=" + prefix, "--runId=pg-run",
        "--manifestStore=" + url, "--manifestStoreUser=" + pg.user(),
        "--manifestDataset=users", "--runner=DirectRunner", "--tempDir=" + tmp.resolve("b")},
        new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));

    assertThat(exit).as(err.toString(UTF_8)).isZero();
    JsonNode result = new ObjectMapper().readTree(out.toString(UTF_8));
    assertThat(result.get("manifest_ref").asText()).startsWith("postgres:users/")
        .endsWith("_run_id=pg-run");
    assertThat(new LocalObjectStore(tmp.resolve("store")).getIfExists("_CURRENT")).isEmpty();

    PostgresConfig pgc = PostgresConfig.builder().jdbcUrl(url).user(pg.user())
        .dataset("users").build();
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.resolve("reader")).manifestStore(PostgresManifestStore.factory(pgc))
        .build())) {
      assertThat(reader.snapshotInfo().runId()).isEqualTo("pg-run");
      assertThat(reader.get(199L)).asString(UTF_8).isEqualTo("user 199");
    }
  }

  @Test
  void publishesToThePythonLayoutWithRoutingValuesInferredFromTheData(PostgresServer pg)
      throws Exception {
    Path in = tmp.resolve("regions.csv");
    Files.write(in, List.of("id,region", "1,us", "2,eu", "3,us", "4,apac", "5,eu", "6,us"),
        UTF_8);
    String db = pg.createDatabase("pipelinepy");
    String url = pg.jdbcUrl(db);
    String prefix = tmp.resolve("pystore").toUri().toString();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = BuildSnapshot.run(new String[] {"--input=" + in, "--keyField=id",
        "--valueField=region", "--celExpr=region", "--celColumns=region:string",
        "--inferRoutingValues", "--shardFormat=sqlite", "--output=" + prefix,
        "--runId=py-run", "--manifestStore=" + url + "?layout=python&table_name=users_m",
        "--manifestStoreUser=" + pg.user(), "--runner=DirectRunner",
        "--tempDir=" + tmp.resolve("b2")},
        new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));

    assertThat(exit).as(err.toString(UTF_8)).isZero();
    assertThat(new ObjectMapper().readTree(out.toString(UTF_8)).get("manifest_ref").asText())
        .as("a ref of the Python layout is the run id").isEqualTo("py-run");
    // The Python store's load_current and its sharding column.
    try (java.sql.Connection c = pg.connect(db);
        java.sql.Statement st = c.createStatement()) {
      try (java.sql.ResultSet rs = st.executeQuery("SELECT manifest_ref FROM "
          + "shardyfusion_pointer ORDER BY updated_at DESC LIMIT 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("py-run");
      }
      try (java.sql.ResultSet rs = st.executeQuery("SELECT num_dbs, "
          + "sharding->'routing_values' FROM users_m_builds WHERE run_id = 'py-run'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(3);
        assertThat(new ObjectMapper().readTree(rs.getString(2)).toString())
            .isEqualTo("[\"apac\",\"eu\",\"us\"]");
      }
    }

    PostgresConfig pgc = PostgresConfig.fromUrl(url + "?layout=python&table_name=users_m")
        .user(pg.user()).build();
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.resolve("reader2")).manifestStore(PostgresManifestStore.factory(pgc))
        .build())) {
      assertThat(reader.snapshotInfo().runId()).isEqualTo("py-run");
      assertThat(reader.get(4L, java.util.Map.of("region", "apac"))).asString(UTF_8)
          .isEqualTo("apac");
      assertThat(reader.get(6L, java.util.Map.of("region", "us"))).asString(UTF_8)
          .isEqualTo("us");
    }
  }
}
