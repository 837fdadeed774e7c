package io.shardyfusion.manifest.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.UsesPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failures talking to the server: which are retryable and what the messages say. */
@UsesPostgres
class PostgresErrorsTest {

  @Test
  void anUnreachableServerIsRetryableAndNamesTheUrl() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/nowhere";
    PostgresConfig config = PostgresConfig.builder().jdbcUrl(url).user("shardy")
        .password("s3cret-value").connectTimeout(Duration.ofSeconds(2)).build();
    try (PostgresManifestStore store = new PostgresManifestStore(config)) {
      assertThatThrownBy(store::loadCurrent)
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).isTrue())
          .hasMessageContaining(url)
          .hasMessageContaining("Is the PostgreSQL server running at " + url)
          .hasMessageContaining("SQLSTATE 08")
          .hasMessageNotContaining("s3cret-value");
    }
  }

  @Test
  void aWrongPasswordIsNotRetryable(PostgresServer pg) {
    String user = pg.createPasswordUser("shardy_pw", "right-password");
    String db = pg.createDatabase("auth", user);
    PostgresConfig wrong = PostgresConfig.builder().jdbcUrl(pg.jdbcUrl(db)).user(user)
        .password("wrong-password").build();
    try (PostgresManifestStore store = new PostgresManifestStore(wrong)) {
      assertThatThrownBy(() -> store.listManifests(1))
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("SQLSTATE 28P01")
          .hasMessageContaining("Check user/password: user '" + user + "'")
          .hasMessageNotContaining("wrong-password");
    }
    // The right password, from an environment variable, works: the failure was the password.
    PostgresConfig right = wrong.toBuilder().password(null).passwordFromEnv("PG_TEST_PW").build();
    assertThat(right.resolvePassword(Map.of("PG_TEST_PW", "right-password")::get))
        .contains("right-password");
    PostgresConfig rightInline = wrong.toBuilder().password("right-password").build();
    try (PostgresManifestStore store = new PostgresManifestStore(rightInline)) {
      store.publish(TestManifests.run("authed", 1));
      assertThat(store.listManifests(1)).hasSize(1);
    }
  }

  @Test
  void aMissingDatabaseIsNotRetryableAndSaysToCreateIt(PostgresServer pg) {
    String url = pg.jdbcUrl("no_such_database");
    PostgresConfig config = PostgresConfig.builder().jdbcUrl(url).user(pg.user()).build();
    try (PostgresManifestStore store = new PostgresManifestStore(config)) {
      assertThatThrownBy(store::loadCurrent)
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).isFalse())
          .hasMessageContaining("SQLSTATE 3D000")
          .hasMessageContaining(url)
          .hasMessageContaining("Create the database");
    }
  }

  @Test
  void retryableFollowsTheSqlStateClass() {
    assertThat(PostgresErrors.retryable("08001")).isTrue();
    assertThat(PostgresErrors.retryable("08006")).isTrue();
    assertThat(PostgresErrors.retryable("40001")).isTrue();
    assertThat(PostgresErrors.retryable("40P01")).isTrue();
    assertThat(PostgresErrors.retryable("53300")).isTrue();
    assertThat(PostgresErrors.retryable("57P01")).isTrue();
    assertThat(PostgresErrors.retryable("57P03")).isTrue();
    assertThat(PostgresErrors.retryable("57014")).as("statement timeout").isTrue();
    assertThat(PostgresErrors.retryable("55P03")).as("lock timeout").isTrue();
    assertThat(PostgresErrors.retryable("28P01")).isFalse();
    assertThat(PostgresErrors.retryable("42501")).isFalse();
    assertThat(PostgresErrors.retryable("42P01")).isFalse();
    assertThat(PostgresErrors.retryable("3D000")).isFalse();
    assertThat(PostgresErrors.retryable("23505")).isFalse();
    assertThat(PostgresErrors.retryable(null)).isFalse();
  }
}
