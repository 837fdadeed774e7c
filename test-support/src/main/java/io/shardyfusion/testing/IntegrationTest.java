package io.shardyfusion.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class as an integration test: JUnit tag {@value #TAG}. The parent pom's surefire
 * ({@code mvn test}, the fast unit loop) excludes the tag and its failsafe
 * ({@code mvn verify}, {@code bin/test}) runs exactly the tagged classes.
 *
 * <p>Tag every class that starts a server (S3Proxy, PostgreSQL: {@link UsesS3Proxy} and
 * {@link UsesPostgres} carry this annotation), runs a Beam pipeline on any runner (Direct,
 * Flink, Spark) or launches a subprocess such as {@code bin/shardy}. The servers refuse to start
 * in the unit loop, and surefire's classpath there has no Beam runner, so a class that should
 * carry the tag and does not fails in {@code mvn test} rather than slowing it down.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(IntegrationTest.TAG)
public @interface IntegrationTest {
  /** The JUnit tag (surefire's {@code excludedGroups}, failsafe's {@code groups}). */
  String TAG = "integration";
}
