package io.shardyfusion.manifest.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import org.junit.jupiter.api.Test;

/** Choosing the table layout in a config and in a manifest-store URL (no server needed). */
class PostgresLayoutConfigTest {
  private static final String BASE = "jdbc:postgresql://db.internal:5432/snapshots";

  @Test
  void theJvmLayoutStaysTheDefault() {
    PostgresConfig c = PostgresConfig.fromUrl(BASE).user("shardy").build();
    assertThat(c.layout()).isEqualTo(PostgresLayout.JVM);
    assertThat(c.jdbcUrl()).isEqualTo(BASE);
    assertThat(c.tableName()).isEqualTo("shardyfusion_manifests");
    assertThat(c.pointerTable()).isEqualTo("shardyfusion_pointer");
  }

  @Test
  void urlParametersChooseThePythonTablesAndTheRestGoToTheDriver() {
    PostgresConfig c = PostgresConfig.fromUrl(BASE + "?sslmode=require&layout=python"
        + "&table_name=users_manifests&pointer_table=users_pointer&connectTimeout=3")
        .user("shardy").build();
    assertThat(c.layout()).isEqualTo(PostgresLayout.PYTHON);
    assertThat(c.tableName()).isEqualTo("users_manifests");
    assertThat(c.pointerTable()).isEqualTo("users_pointer");
    assertThat(c.jdbcUrl()).isEqualTo(BASE + "?sslmode=require&connectTimeout=3");
    assertThat(c.toString()).contains("layout=python", "tableName=users_manifests");
    assertThat(new PostgresManifestStore(c).location())
        .isEqualTo(BASE + "?sslmode=require&connectTimeout=3 layout=python "
            + "tables=users_manifests_builds/users_manifests_shards/users_pointer");
  }

  @Test
  void badLayoutsNamesAndDatasetsAreRefusedWithTheFix() {
    assertThatThrownBy(() -> PostgresConfig.fromUrl(BASE + "?layout=pandas"))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("layout 'pandas' is unknown: use 'jvm'");
    assertThatThrownBy(() -> PostgresConfig.fromUrl(BASE + "?layout=python&table_name=Bad-Name")
        .user("u").build())
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("tableName 'Bad-Name' is invalid");
    assertThatThrownBy(() -> PostgresConfig.fromUrl(BASE + "?layout=python&dataset=users")
        .user("u").build())
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("the Python layout has no datasets")
        .hasMessageContaining("own tableName");
  }
}
