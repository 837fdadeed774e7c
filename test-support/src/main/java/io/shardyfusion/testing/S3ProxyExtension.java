package io.shardyfusion.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM's shared {@link S3ProxyServer}, started once for the whole test run and
 * stopped when the run ends (through JUnit's root store), or at JVM exit at the latest.
 *
 * <pre>{@code
 * @ExtendWith(S3ProxyExtension.class)
 * class MyS3Test {
 *   @Test
 *   void roundTrip(S3ProxyServer s3) {
 *     String bucket = s3.createUniqueBucket("my-test");
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Any constructor, lifecycle or test method parameter of type {@link S3ProxyServer} is
 * resolved; {@link #server()} is the static accessor for code that cannot take a parameter.
 */
public final class S3ProxyExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(S3ProxyExtension.class);

  /** The shared server, started if needed. */
  public static S3ProxyServer server() {
    return S3ProxyServer.shared();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    serverFor(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == S3ProxyServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return serverFor(context);
  }

  private static S3ProxyServer serverFor(ExtensionContext context) {
    // The root store outlives every test class and is closed when the whole run ends, so the
    // server is started once per JVM and stopped before the JVM's shutdown hooks run.
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Handle.class, k -> new Handle(S3ProxyServer.shared()), Handle.class)
        .server;
  }

  /** Stops the server when JUnit closes the root store. */
  private static final class Handle implements ExtensionContext.Store.CloseableResource {
    final S3ProxyServer server;

    Handle(S3ProxyServer server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
