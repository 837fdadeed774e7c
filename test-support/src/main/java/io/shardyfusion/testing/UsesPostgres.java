package io.shardyfusion.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test class uses the shared {@link PostgresServer}: registers {@link PostgresExtension}, so
 * test and lifecycle methods can take a {@code PostgresServer pg} parameter, and tags the class
 * {@link IntegrationTest}, since a real server runs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@IntegrationTest
@ExtendWith(PostgresExtension.class)
public @interface UsesPostgres {}
