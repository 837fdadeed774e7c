package io.shardyfusion.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM's shared {@link PostgresServer}, started once for the whole test run and
 * stopped when the run ends (through JUnit's root store), or at JVM exit at the latest.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
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
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  /** The shared server, started if needed. */
  public static PostgresServer server() {
    return PostgresServer.shared();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    serverFor(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PostgresServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return serverFor(context);
  }

  private static PostgresServer serverFor(ExtensionContext context) {
    // The root store outlives every test class and is closed when the whole run ends, so the
    // server is started once per JVM and stopped before the JVM's shutdown hooks run.
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Handle.class, k -> new Handle(PostgresServer.shared()), Handle.class)
        .server;
  }

  /** Stops the server when JUnit closes the root store. */
  private static final class Handle implements ExtensionContext.Store.CloseableResource {
    final PostgresServer server;

    Handle(PostgresServer server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
