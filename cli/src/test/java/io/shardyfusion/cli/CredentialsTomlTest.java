package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.storage.S3ConnectionOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each per-profile key of the Python CLI's credentials.toml lands in the S3 client settings. */
class CredentialsTomlTest {
  @TempDir Path tmp;

  private ManifestStoreResolver.Access access(String toml, String profile, String... s3)
      throws Exception {
    Path file = tmp.resolve("credentials.toml");
    Files.writeString(file, toml);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream(),
            true, StandardCharsets.UTF_8), Map.of("SHARDY_CREDENTIALS", file.toString()), tmp,
        false, false);
    return SnapshotTarget.access(new GlobalSettings(null, List.of(s3), null, profile, null, null,
        null, null, false), ctx);
  }

  @Test
  void everySettingIsApplied() throws Exception {
    var a = access("""
        [p]
        endpoint_url = "http://127.0.0.1:9000"
        region = "eu-west-1"
        access_key_id = "AK"
        secret_access_key = "SK"
        session_token = "TOK"
        addressing_style = "virtual"
        signature_version = "s3v4"
        verify_ssl = true
        connect_timeout = 7
        read_timeout = 45
        max_attempts = 4
        """, "p");
    S3ConnectionOptions o = a.s3Options();
    assertThat(o.endpointUrl()).isEqualTo("http://127.0.0.1:9000");
    assertThat(o.region()).isEqualTo("eu-west-1");
    assertThat(o.addressingStyle()).isEqualTo("virtual");
    assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(o.socketTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(o.maxAttempts()).isEqualTo(4);
    var creds = a.credentials().toAwsProvider().resolveCredentials();
    assertThat(creds.accessKeyId()).isEqualTo("AK");
    assertThat(creds).isInstanceOf(
        software.amazon.awssdk.auth.credentials.AwsSessionCredentials.class);
    assertThat(((software.amazon.awssdk.auth.credentials.AwsSessionCredentials) creds)
        .sessionToken()).isEqualTo("TOK");

    var overridden = access("[p]\nmax_attempts = 4\naddressing_style = \"virtual\"\n", "p",
        "max_attempts=2", "addressing_style=path");
    assertThat(overridden.s3Options().maxAttempts()).as("--s3-option wins").isEqualTo(2);
    assertThat(overridden.s3Options().pathStyle()).isTrue();
    assertThat(overridden.credentials()).as("no keys: the AWS default chain").isNull();
  }

  @Test
  void unsupportedValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> access("[p]\nsignature_version = \"s3\"\n", "p"))
        .isInstanceOf(UsageException.class).hasMessageContaining("profile [p]: "
            + "signature_version");
    assertThatThrownBy(() -> access("[p]\nverify_ssl = \"/etc/ca.pem\"\n", "p"))
        .hasMessageContaining("verify_ssl '/etc/ca.pem' is not supported");
    assertThatThrownBy(() -> access("[p]\nconnect_timeout = 0\n", "p"))
        .hasMessageContaining("connect_timeout");
    assertThatThrownBy(() -> access("[p]\naddressing_style = \"dns\"\n", "p"))
        .hasMessageContaining("addressing_style");
    assertThatThrownBy(() -> access("[p]\naccess_key_id = \"AK\"\n", "p"))
        .hasMessageContaining("go together");
    assertThatThrownBy(() -> access("[p]\nproxy = \"x\"\n", "p"))
        .hasMessageContaining("unknown key 'proxy'");
    assertThatThrownBy(() -> access("[default]\n", "default", "signature_version=s3"))
        .hasMessageContaining("--s3-option: signature_version 's3'");
  }
}
