package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.testing.S3ProxyExtension;
import io.shardyfusion.testing.S3ProxyServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resolving the target: --current-url / $SHARDY_CURRENT, --s3-option, credentials files, and the
 * exit codes of what can go wrong before a key is read.
 */
@ExtendWith(S3ProxyExtension.class)
class TargetErrorsTest {
  @TempDir static Path tmp;
  static ThreeRunsOnS3 runs;

  @BeforeAll
  static void publish(S3ProxyServer s3) {
    runs = ThreeRunsOnS3.publish(s3, tmp);
  }

  private static CliRun cli(Map<String, String> env, String... args) {
    return CliRun.inProcess(tmp, env, "", List.of(args));
  }

  @Test
  void missingCurrentUrlIsAUsageError() {
    CliRun r = cli(Map.of(), "info");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("shardy: error: no snapshot given: pass --current-url "
        + "s3://bucket/prefix/_CURRENT (or file:///dir/_CURRENT, or "
        + "jdbc:postgresql://host/db?user=ROLE&dataset=NAME), set $SHARDY_CURRENT or "
        + "current_url in reader.toml\n");
  }

  @Test
  void postgresUrlsRefusePasswordsAndAnUnreachableServerIsARetryableFailure() throws Exception {
    CliRun password = cli(Map.of(), "--current-url",
        "jdbc:postgresql://127.0.0.1:5432/db?user=u&password=secret", "info");
    assertThat(password.code()).isEqualTo(2);
    assertThat(password.err()).contains("must not carry a password").contains("PGPASSWORD")
        .doesNotContain("secret");
    CliRun upper = cli(Map.of(), "--current-url",
        "jdbc:postgresql://127.0.0.1:5432/db?user=u&PASSWORD=secret", "info");
    assertThat(upper.code()).isEqualTo(2);
    assertThat(upper.err()).doesNotContain("secret");

    CliRun hugeAge = cli(Map.of(), "--current-url",
        "jdbc:postgresql://127.0.0.1:5432/db?user=u", "cleanup", "--older-than",
        "99999999999999999999d");
    assertThat(hugeAge.code()).isEqualTo(2);
    assertThat(hugeAge.err()).contains("--older-than").contains("too large");

    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    CliRun down = cli(Map.of(), "--current-url",
        "jdbc:postgresql://127.0.0.1:" + closedPort + "/db?user=u&dataset=users", "history");
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err()).startsWith("shardy: error: ").contains("127.0.0.1:" + closedPort)
        .contains("(retryable)");
  }

  @Test
  void currentUrlComesFromTheEnvironmentAndTheEndpointFromTheProfile() {
    CliRun r = cli(Map.of("SHARDY_CURRENT", runs.currentUrl(),
        "SHARDY_CREDENTIALS_FILE", runs.credentials.toString()),
        "--s3-option", "addressing_style=path", "history");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.jsonl()).hasSize(3);
  }

  @Test
  void badUrlsAndOptionsAreUsageErrors() {
    assertThat(cli(Map.of(), "--current-url", "s3://b/prefix", "info").err())
        .contains("must end with /_CURRENT");
    assertThat(cli(Map.of(), "--current-url", "http://x/_CURRENT", "info").code()).isEqualTo(2);
    CliRun unknown = cli(Map.of(), "--current-url", runs.currentUrl(), "--s3-option",
        "endpoint=http://x", "info");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown --s3-option 'endpoint'")
        .contains("endpoint_url, addressing_style, region, connect_timeout");
    CliRun badStyle = cli(Map.of(), "--current-url", runs.currentUrl(), "--s3-option",
        "addressing_style=sideways", "info");
    assertThat(badStyle.code()).isEqualTo(2);
    assertThat(cli(Map.of(), "--current-url", runs.currentUrl(), "--s3-option",
        "connect_timeout=soon", "info").code()).isEqualTo(2);
    assertThat(cli(Map.of(), "--output-format", "xml", "schema").code()).isEqualTo(2);
    assertThat(cli(Map.of(), "frobnicate").code()).isEqualTo(2);
  }

  @Test
  void missingCurrentPointerIsAnOperationFailure() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty-store"));
    CliRun r = cli(Map.of(), "--current-url", empty.toUri() + "_CURRENT", "info");
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).startsWith("shardy: error: no snapshot is published at");
    assertThat(cli(Map.of(), "--current-url", empty.toUri() + "_CURRENT", "get", "1").code())
        .isEqualTo(1);
  }

  @Test
  void unreachableStoreIsARetryableFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    CliRun r = cli(Map.of(), "--current-url", "s3://bucket/p/_CURRENT",
        "--credentials-file", runs.credentials.toString(),
        "--s3-option", "endpoint_url=http://127.0.0.1:" + port,
        "--s3-option", "addressing_style=path", "--s3-option", "max_attempts=1",
        "--s3-option", "connect_timeout=2", "history");
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).startsWith("shardy: error: ").endsWith("(retryable)\n");
  }

  @Test
  void credentialsFileChecks() throws Exception {
    Path open = tmp.resolve("open.toml");
    Files.writeString(open, Files.readString(runs.credentials));
    Files.setPosixFilePermissions(open,
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    CliRun warned = cli(Map.of(), args("--credentials-file", open.toString(), "history"));
    assertThat(warned.code()).as(warned.toString()).isZero();
    assertThat(warned.err()).contains("shardy: warning: credentials file " + open
        + " has mode 0644");

    CliRun quiet = cli(Map.of(), args("--credentials-file", runs.credentials.toString(),
        "history"));
    assertThat(quiet.err()).isEmpty();

    Path bad = tmp.resolve("bad.toml");
    Files.writeString(bad, "[default\naccess_key_id = \n");
    CliRun malformed = cli(Map.of(), args("--credentials-file", bad.toString(), "history"));
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err()).contains("shardy: error: credentials file " + bad
        + " is not valid TOML").contains("line 1");

    CliRun noProfile = cli(Map.of(), args("--credentials-file", runs.credentials.toString(),
        "--profile", "prod", "history"));
    assertThat(noProfile.code()).isEqualTo(2);
    assertThat(noProfile.err()).contains("no profile [prod]").contains("profiles: default");

    CliRun missingFile = cli(Map.of(), args("--credentials-file",
        tmp.resolve("nope.toml").toString(), "history"));
    assertThat(missingFile.code()).isEqualTo(2);

    // The default location under $HOME is used when nothing else is given.
    Path home = tmp.resolve("home");
    Files.createDirectories(home.resolve(".config/shardy"));
    Files.writeString(home.resolve(".config/shardy/credentials.toml"),
        Files.readString(runs.credentials).replace("[default]", "[prod]"));
    CliRun fromHome = CliRun.inProcess(home, Map.of(), "", List.of("--current-url",
        runs.currentUrl(), "--s3-option", "addressing_style=path", "--profile", "prod",
        "history"));
    assertThat(fromHome.code()).as(fromHome.toString()).isZero();
  }

  private static String[] args(String... more) {
    List<String> a = new ArrayList<>(List.of("--current-url", runs.currentUrl(),
        "--s3-option", "addressing_style=path"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }
}
