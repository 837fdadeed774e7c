package io.shardyfusion.backend;

import io.shardyfusion.errors.ConfigValidationException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds shard backends by the name manifests give them. */
public final class ShardBackends {
  private static volatile Map<String, ShardBackend> loaded;

  private ShardBackends() {}

  /**
   * The backend registered under {@code name}.
   *
   * @throws ConfigValidationException (not retryable) naming the backends on the classpath
   *     when none has that name
   */
  public static ShardBackend forName(String name) {
    ShardBackend b = all().get(name);
    if (b == null) {
      throw new ConfigValidationException("shard backend '" + name + "' is not available here "
          + "(on the classpath: " + all().keySet() + "); add the module that provides it, e.g. "
          + "shardyfusion-shard-" + name + ", or read the snapshot with a build that has it");
    }
    return b;
  }

  /** Every backend on the classpath, by name. */
  public static Map<String, ShardBackend> all() {
    Map<String, ShardBackend> m = loaded;
    if (m == null) {
      Map<String, ShardBackend> found = new TreeMap<>();
      for (ShardBackend b : ServiceLoader.load(ShardBackend.class,
          ShardBackends.class.getClassLoader())) {
        found.putIfAbsent(b.name(), b);
      }
      loaded = m = java.util.Collections.unmodifiableMap(found); // sorted by name
    }
    return m;
  }
}
