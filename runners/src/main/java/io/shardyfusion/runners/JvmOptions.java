package io.shardyfusion.runners;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags a Spark driver or local-mode job needs on Java 17: the {@code --add-opens} list
 * of Spark's own {@code org.apache.spark.launcher.JavaModuleOptions} plus
 * {@code -Djdk.reflect.useDirectMethodHandle=false}. Launch scripts read the same list from
 * the classpath resource {@value #RESOURCE} (generated from the parent pom's
 * {@code runners.jvm.options}, which also gives it to the tests and the cluster tests' JVMs).
 * Also set {@code SPARK_LOCAL_IP=127.0.0.1} for local runs.
 */
public final class JvmOptions {
  /** Classpath resource with the flags, space separated. */
  public static final String RESOURCE = "jvm-options.txt";

  private JvmOptions() {}

  /** The flags, one list element each. */
  public static List<String> spark() {
    try (InputStream in = JvmOptions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Prints the flags on one line, for shell scripts: {@code java $(... JvmOptions) ...}. */
  public static void main(String[] args) {
    System.out.println(String.join(" ", spark()));
  }
}
