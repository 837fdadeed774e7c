package io.shardyfusion.manifest.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.UsesPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UsesPostgres
class PostgresConfigTest {
  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/snapshots";

  private static PostgresConfig.Builder valid() {
    return PostgresConfig.builder().jdbcUrl(URL).user("shardy");
  }

  @Test
  void defaults() {
    PostgresConfig c = valid().build();
    assertThat(c.dataset()).isEqualTo("default");
    assertThat(c.tablePrefix()).isEqualTo("shardyfusion_");
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.resolvePassword()).isEmpty();
  }

  @Test
  void invalidValuesAreRefusedNamingTheParameterValueAndForm() {
    assertThatThrownBy(() -> valid().jdbcUrl("postgres://h/db").build())
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("jdbcUrl 'postgres://h/db'")
        .hasMessageContaining("jdbc:postgresql://<host>[:<port>]/<database>");
    assertThatThrownBy(() -> valid().jdbcUrl(URL + "?password=x").build())
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("passwordFromEnv")
        .hasMessageNotContaining("password=x");
    assertThatThrownBy(() -> valid().user(" ").build())
        .hasMessageContaining("user is missing");
    assertThatThrownBy(() -> valid().dataset("a/b").build())
        .hasMessageContaining("dataset 'a/b' is invalid").hasMessageContaining("1-64");
    assertThatThrownBy(() -> valid().tablePrefix("Bad-Prefix").build())
        .hasMessageContaining("tablePrefix 'Bad-Prefix' is invalid")
        .hasMessageContaining("lower-case");
    assertThatThrownBy(() -> valid().connectTimeout(Duration.ofMillis(10)).build())
        .hasMessageContaining("connectTimeout PT0.01S is out of range: use 1 s to 10 min");
    assertThatThrownBy(() -> valid().password("x").passwordFromEnv("PW").build())
        .hasMessageContaining("both set");
    assertThatThrownBy(() -> valid().passwordFromEnv("1-bad").build())
        .hasMessageContaining("passwordFromEnv '1-bad'");
  }

  @Test
  void aUrlTheDriverCannotParseIsAConfigErrorWhenTheStoreIsCreated() {
    PostgresConfig c = valid().jdbcUrl("jdbc:postgresql://127.0.0.1:notaport/db").build();
    assertThatThrownBy(() -> new PostgresManifestStore(c))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("jdbcUrl 'jdbc:postgresql://127.0.0.1:notaport/db'");
  }

  @Test
  void passwordFromEnvIsReadWhenResolvedAndAMissingVariableIsNamed() {
    PostgresConfig c = valid().passwordFromEnv("SHARDY_PG_PW").build();
    assertThat(c.resolvePassword(Map.of("SHARDY_PG_PW", "pw")::get)).contains("pw");
    assertThatThrownBy(() -> c.resolvePassword(Map.<String, String>of()::get))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("environment variable SHARDY_PG_PW")
        .hasMessageContaining("is not set");
  }

  @Test
  void toStringAndSerializedFormNeverHoldAnEnvPassword() throws Exception {
    PostgresConfig inline = valid().password("inline-secret").build();
    assertThat(inline.toString()).doesNotContain("inline-secret").contains("password=***");
    PostgresConfig env = valid().passwordFromEnv("SHARDY_PG_PW").build();
    assertThat(new String(serialize(env), StandardCharsets.ISO_8859_1))
        .contains("SHARDY_PG_PW");
    assertThat(deserialize(serialize(env))).isEqualTo(env);
  }

  @Test
  void theFactorySurvivesJavaSerializationAndOpensAWorkingStore(PostgresServer pg)
      throws Exception {
    String db = pg.createDatabase("factory");
    PostgresConfig config = PgFixture.config(pg, db).build();
    ManifestStoreFactory factory = PostgresManifestStore.factory(config);

    ManifestStoreFactory copy = (ManifestStoreFactory) deserialize(serialize(factory));
    assertThat(copy).isEqualTo(factory);
    try (ManifestStore store = copy.open(null)) {
      assertThat(store).isInstanceOf(PostgresManifestStore.class);
      assertThat(store.location()).contains(config.dataset());
      store.publish(TestManifests.run("via-factory", 1));
      assertThat(store.loadCurrent().orElseThrow().runId()).isEqualTo("via-factory");
    }
  }

  private static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Object deserialize(byte[] b) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return in.readObject();
    }
  }
}
