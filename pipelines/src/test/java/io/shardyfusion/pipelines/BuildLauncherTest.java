package io.shardyfusion.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.ShardyLauncher;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/shardy build} as users run it: a subprocess of the real launcher on the classpath
 * the build wrote (pipelines', or runners' when built), with the shared S3 and credentials
 * options of the read commands ({@code --s3-option}, {@code --credentials-file}) against
 * S3Proxy, and the build's help from the one picocli front end.
 */
@UsesS3Proxy
class BuildLauncherTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private ShardyLauncher.Run shardy(String... args) throws Exception {
    return ShardyLauncher.run(tmp, args);
  }

  private Path input() throws Exception {
    Path in = tmp.resolve("users.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 50; i++) {
      sb.append("{\"id\": ").append(i).append(", \"name\": \"u").append(i).append("\"}\n");
    }
    Files.writeString(in, sb);
    return in;
  }

  @Test
  void buildPublishesToS3WithTheSharedS3OptionsAndCredentialsFile(S3ProxyServer s3)
      throws Exception {
    String bucket = s3.createUniqueBucket("build");
    Path credentials = tmp.resolve("credentials.toml");
    Files.writeString(credentials, """
        [minio]
        access_key_id = "%s"
        secret_access_key = "%s"
        """.formatted(s3.accessKey(), s3.secretKey()));
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
    String prefix = "s3://" + bucket + "/snapshots/users";

    // Shared options on both sides of the command word; --name value and kebab-case Beam names.
    var r = shardy("--s3-option", "endpoint_url=" + s3.endpoint(), "--output-format", "jsonl",
        "build", "--input=" + input(), "--key-field", "id", "--num-dbs=3", "--output=" + prefix,
        "--s3-option", "addressing_style=path", "--s3-option", "region=" + s3.region(),
        "--credentials-file", credentials.toString(), "--profile", "minio",
        "--temp-dir", tmp.resolve("build").toString(), "--target-parallelism", "2");
    assertThat(r.code()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).as("--output-format jsonl: one line").hasSize(1);
    JsonNode result = JSON.readTree(lines.get(0));
    assertThat(result.get("rows_written").asLong()).isEqualTo(50);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.resolve("reader"))
        .s3ConnectionOptions(S3ConnectionOptions.builder().endpointUrl(s3.endpoint())
            .addressingStyle("path").region(s3.region()).build())
        .credentialProvider(new StaticCredentialProvider(s3.accessKey(), s3.secretKey()))
        .build())) {
      assertThat(reader.snapshotInfo().runId()).isEqualTo(result.get("run_id").asText());
      assertThat(new String(reader.get(7L), StandardCharsets.UTF_8))
          .isEqualTo("{\"id\":7,\"name\":\"u7\"}");
    }
  }

  @Test
  void badSharedOptionIsAUsageErrorAndDeprecatedSpellingWarns() throws Exception {
    var bad = shardy("build", "--input=" + input(), "--key-field=id", "--num-dbs=2",
        "--output=file://" + tmp.resolve("out"), "--s3-option", "endpoint=http://x");
    assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains("unknown --s3-option 'endpoint'");

    var twice = shardy("build", "--input=" + input(), "--key-field=id", "--num-dbs=2",
        "--output=file://" + tmp.resolve("out"), "--s3-option", "addressing_style=path",
        "--s3-endpoint-url=http://127.0.0.1:1");
    assertThat(twice.code()).as(twice.toString()).isEqualTo(2);
    assertThat(twice.err()).contains("--s3-endpoint-url is deprecated")
        .contains("S3 settings given twice");
    assertThat(tmp.resolve("out/_CURRENT")).doesNotExist();
  }

  @Test
  void buildHelpShowsItsOptionsTheSharedOnesAndExamples() throws Exception {
    var help = shardy("build", "--help");
    assertThat(help.code()).as(help.toString()).isZero();
    assertThat(help.out()).contains("--key-field=FIELD").contains("--s3-option=KEY=VALUE")
        .contains("--credentials-file=FILE").contains("--output-format=FORMAT")
        .contains("Examples:").contains("shardy build --input=examples/data/users.jsonl")
        .contains("--s3-option endpoint_url=").contains("Deprecated");
    var viaHelp = shardy("help", "build");
    assertThat(viaHelp.out()).isEqualTo(help.out());
  }
}
