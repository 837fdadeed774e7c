package io.shardyfusion.manifest.postgres;

import io.shardyfusion.testing.PostgresServer;
import java.time.Duration;
import java.util.UUID;

/** Configs for the test server: one database per test class, a fresh dataset per test. */
final class PgFixture {
  private PgFixture() {}

  /** A config for {@code database} as the superuser, with a dataset no other test uses. */
  static PostgresConfig.Builder config(PostgresServer pg, String database) {
    return PostgresConfig.builder()
        .jdbcUrl(pg.jdbcUrl(database))
        .user(pg.user())
        .dataset(uniqueDataset("ds"))
        .connectTimeout(Duration.ofSeconds(5));
  }

  /**
   * A Python-layout config for {@code database} with table names no other test uses
   * ({@code <t>_builds}, {@code <t>_shards}, {@code <t>_pointer}).
   */
  static PostgresConfig.Builder pythonConfig(PostgresServer pg, String database) {
    String t = "py_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return PostgresConfig.builder()
        .jdbcUrl(pg.jdbcUrl(database))
        .user(pg.user())
        .layout(PostgresLayout.PYTHON)
        .tableName(t)
        .pointerTable(t + "_pointer")
        .connectTimeout(Duration.ofSeconds(5));
  }

  static String uniqueDataset(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
