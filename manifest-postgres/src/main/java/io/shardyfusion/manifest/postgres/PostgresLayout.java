package io.shardyfusion.manifest.postgres;

import io.shardyfusion.errors.ConfigValidationException;
import java.util.Locale;

/**
 * Which tables a {@link PostgresManifestStore} keeps manifests in.
 *
 * <ul>
 *   <li>{@link #JVM} ({@code jvm}, the default): this project's {@code <prefix>manifests} and
 *       {@code <prefix>pointers}, many datasets per table pair, refs
 *       {@code postgres:<dataset>/<time>_run_id=<run>}; the manifest is stored as the bytes its
 *       format wrote.
 *   <li>{@link #PYTHON} ({@code python}): the Python system's {@code <table_name>_builds},
 *       {@code <table_name>_shards} and append-only {@code <pointer_table_name>}, one snapshot
 *       history per set of tables, refs = run ids. Both systems read and publish the same
 *       snapshots there.
 * </ul>
 *
 * <pre>{@code
 * PostgresConfig.builder()...layout(PostgresLayout.PYTHON).tableName("users_manifests").build();
 * // or in a URL: jdbc:postgresql://db:5432/snapshots?layout=python&table_name=users_manifests
 * }</pre>
 */
public enum PostgresLayout {
  JVM("jvm"),
  PYTHON("python");

  private final String wireName;

  PostgresLayout(String wireName) {
    this.wireName = wireName;
  }

  /** The name in URLs and options: {@code jvm} or {@code python}. */
  public String wireName() {
    return wireName;
  }

  /** @throws ConfigValidationException for any other name */
  public static PostgresLayout fromWireName(String name) {
    for (PostgresLayout l : values()) {
      if (l.wireName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
        return l;
      }
    }
    throw new ConfigValidationException("PostgreSQL manifest store layout '" + name + "' is "
        + "unknown: use 'jvm' (this project's tables, the default) or 'python' (the Python "
        + "system's _builds/_shards/_pointer tables, shared with it)");
  }

  @Override
  public String toString() {
    return wireName;
  }
}
