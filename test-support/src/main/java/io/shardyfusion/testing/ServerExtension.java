package io.shardyfusion.testing;

import java.lang.annotation.Annotation;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContextException;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM's shared server of one kind ({@link ServerProcess.Shared}), started once for
 * the whole test run and stopped when the run ends (through JUnit's root store), or at JVM exit
 * at the latest. Any constructor, lifecycle or test method parameter of the server's type is
 * resolved.
 *
 * <p>A class that uses a server is an integration test: the extension refuses one that is not
 * tagged {@value IntegrationTest#TAG} (use {@link UsesS3Proxy} / {@link UsesPostgres}, which
 * register the extension and carry the tag, or {@link IntegrationTest}), so that it can never run
 * in the unit loop ({@code mvn test}) nor be left out of {@code mvn verify}.
 *
 * @param <S> the server type
 */
public abstract class ServerExtension<S extends ServerProcess>
    implements BeforeAllCallback, ParameterResolver {
  private final Class<S> type;
  private final Supplier<S> shared;
  private final Class<? extends Annotation> annotation;

  /**
   * @param type the server type, resolved as a parameter
   * @param shared the per-JVM server (started if needed)
   * @param annotation what test classes say to use this extension (named in the error)
   */
  protected ServerExtension(Class<S> type, Supplier<S> shared,
      Class<? extends Annotation> annotation) {
    this.type = type;
    this.shared = shared;
    this.annotation = annotation;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    serverFor(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == type;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return serverFor(context);
  }

  private S serverFor(ExtensionContext context) {
    if (!context.getTags().contains(IntegrationTest.TAG)) {
      throw new ExtensionContextException(context.getDisplayName() + " uses the "
          + type.getSimpleName() + " fixture but is not tagged '" + IntegrationTest.TAG
          + "': annotate the class with @" + annotation.getSimpleName() + " ("
          + annotation.getPackageName() + ") so that it runs under failsafe in `mvn verify`");
    }
    // The root store outlives every test class and is closed when the whole run ends, so the
    // server is started once per JVM and stopped before the JVM's shutdown hooks run.
    return type.cast(context.getRoot().getStore(ExtensionContext.Namespace.create(getClass()))
        .getOrComputeIfAbsent(type, k -> new Handle(shared.get()), Handle.class).server);
  }

  /** Stops the server when JUnit closes the root store. */
  private static final class Handle implements ExtensionContext.Store.CloseableResource {
    final ServerProcess server;

    Handle(ServerProcess server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
