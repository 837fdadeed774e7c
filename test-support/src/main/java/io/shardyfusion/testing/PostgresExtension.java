package io.shardyfusion.testing;

/**
 * Gives tests the JVM's shared {@link PostgresServer}, started once for the whole test run and
 * stopped when the run ends (see {@link ServerExtension}). Register it with {@link UsesPostgres},
 * which also tags the class as an integration test:
 *
 * <pre>{@code
 * @UsesPostgres
 * class MyPostgresTest {
 *   @Test
 *   void roundTrip(PostgresServer pg) throws SQLException {
 *     String db = pg.createDatabase("my_test");
 *     try (Connection c = pg.connect(db)) { ... }
 *   }
 * }
 * }</pre>
 *
 * <p>Any constructor, lifecycle or test method parameter of type {@link PostgresServer} is
 * resolved; {@link #server()} is the static accessor for code that cannot take a parameter.
 */
public final class PostgresExtension extends ServerExtension<PostgresServer> {
  public PostgresExtension() {
    super(PostgresServer.class, PostgresServer::shared, UsesPostgres.class);
  }

  /** The shared server, started if needed. */
  public static PostgresServer server() {
    return PostgresServer.shared();
  }
}
