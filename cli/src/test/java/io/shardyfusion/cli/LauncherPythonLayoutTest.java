package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.postgres.PostgresConfig;
import io.shardyfusion.manifest.postgres.PostgresManifestStore;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesPostgres;
import io.shardyfusion.testing.UsesS3Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher on manifests in the Python system's PostgreSQL tables
 * ({@code --current-url jdbc:postgresql://...?layout=python&table_name=...}): history lists run
 * ids, and a rollback appends the pointer row the Python store's load_current reads.
 */
@UsesS3Proxy
@UsesPostgres
class LauncherPythonLayoutTest {
  @TempDir static Path tmp;
  static ThreeRunsOnS3 runs;
  static PostgresServer server;
  static String db;

  @BeforeAll
  static void publish(S3ProxyServer s3, PostgresServer pg) {
    server = pg;
    db = pg.createDatabase("clipy");
    String url = pg.jdbcUrl(db) + "?layout=python&table_name=users_m";
    PostgresConfig config = PostgresConfig.fromUrl(url).user(pg.user()).build();
    runs = ThreeRunsOnS3.publish(s3, tmp, PostgresManifestStore.factory(config),
        url + "&user=" + pg.user());
  }

  @Test
  void historyAndRollbackWorkOnThePythonTables() throws Exception {
    Map<String, String> env = Map.of("SHARDY_CURRENT", runs.currentUrl(),
        "SHARDY_CREDENTIALS_FILE", runs.credentials.toString());
    CliRun history = Launcher.run(tmp, env, "", "--s3-option", "addressing_style=path",
        "history");
    assertThat(history.code()).as(history.toString()).isZero();
    assertThat(history.jsonl()).extracting(n -> n.get("ref").asText())
        .containsExactly("r3", "r2", "r1");

    CliRun rollback = Launcher.run(tmp, env, "", "--s3-option", "addressing_style=path",
        "rollback", "--run-id", "r1");
    assertThat(rollback.code()).as(rollback.toString()).isZero();
    try (Connection c = server.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT manifest_ref FROM shardyfusion_pointer "
            + "ORDER BY updated_at DESC LIMIT 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("r1");
    }
    CliRun get = Launcher.run(tmp, env, "", "--s3-option", "addressing_style=path",
        "get", "5");
    assertThat(get.code()).as(get.toString()).isZero();
    assertThat(get.out()).contains("r1:5");
  }
}
