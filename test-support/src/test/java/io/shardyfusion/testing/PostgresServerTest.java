package io.shardyfusion.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The fixture itself: a private server that checks passwords where asked, and cleans up. */
@IntegrationTest
class PostgresServerTest {

  @Test
  void aPrivateServerWithPasswordUsersThatIsGoneAfterClose() throws SQLException {
    PostgresServer pg = PostgresServer.start();
    Path dir = pg.dataDir();
    String url;
    try {
      assertThat(pg.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:" + pg.port() + "/");
      assertThat(pg.port()).isNotEqualTo(5432);
      String db = pg.createDatabase("fixture");
      assertThat(db).startsWith("fixture_").isNotEqualTo(pg.createDatabase("fixture"));
      try (Connection c = pg.connect(db); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW fsync")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("off");
      }

      String user = pg.createPasswordUser("fixture_user", "it's-secret");
      url = pg.jdbcUrl(db);
      assertThatThrownBy(() -> DriverManager.getConnection(url, user, "wrong").close())
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
      try (Connection c = DriverManager.getConnection(url, user, "it's-secret")) {
        assertThat(c.isValid(5)).isTrue();
      }
    } finally {
      pg.close();
    }
    assertThat(pg.isRunning()).isFalse();
    assertThat(dir).doesNotExist();
    assertThatThrownBy(() -> DriverManager.getConnection(url, PostgresServer.SUPERUSER, "")
        .close()).isInstanceOf(SQLException.class);
  }
}
