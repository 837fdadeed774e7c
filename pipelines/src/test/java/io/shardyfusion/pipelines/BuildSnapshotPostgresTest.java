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
}
