package io.shardyfusion.testing;

/**
 * Gives tests the JVM's shared {@link S3ProxyServer}, started once for the whole test run and
 * stopped when the run ends (see {@link ServerExtension}). Register it with {@link UsesS3Proxy},
 * which also tags the class as an integration test:
 *
 * <pre>{@code
 * @UsesS3Proxy
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
public final class S3ProxyExtension extends ServerExtension<S3ProxyServer> {
  public S3ProxyExtension() {
    super(S3ProxyServer.class, S3ProxyServer::shared, UsesS3Proxy.class);
  }

  /** The shared server, started if needed. */
  public static S3ProxyServer server() {
    return S3ProxyServer.shared();
  }
}
