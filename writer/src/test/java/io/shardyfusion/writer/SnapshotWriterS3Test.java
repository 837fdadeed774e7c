package io.shardyfusion.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.ManifestSchemaAssertions;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyExtension;
import io.shardyfusion.testing.S3ProxyServer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The writer against a real S3 API server: what it publishes, and what it refuses to. */
@ExtendWith(S3ProxyExtension.class)
class SnapshotWriterS3Test {
  static S3ProxyServer s3;
  static String bucket;
  @TempDir Path tmp;

  @BeforeAll
  static void bucket(S3ProxyServer server) {
    s3 = server;
    bucket = server.createUniqueBucket("writer");
  }

  private S3ConnectionOptions options() {
    return S3ConnectionOptions.builder().endpointUrl(s3.endpoint()).addressingStyle("path")
        .region(s3.region()).maxAttempts(2).build();
  }

  private WriteConfig.Builder config(String path) {
    return WriteConfig.builder().numDbs(4).s3Prefix("s3://" + bucket + "/" + path)
        .credentialProvider(new StaticCredentialProvider(s3.accessKey(), s3.secretKey()))
        .s3ConnectionOptions(options()).tempDir(tmp);
  }

  private ObjectStore store(String path) {
    return ObjectStores.open("s3://" + bucket + "/" + path, options(),
        new StaticCredentialProvider(s3.accessKey(), s3.secretKey()));
  }

  /** The JSON manifest (format_version 1, still writable with manifestFormat("json")). */
  @Test
  void everyDocumentTheWriterPublishesMatchesTheShippedSchemas() {
    List<Long> keys = LongStream.range(0, 3000).boxed().toList();
    BuildResult hash = SnapshotWriter.writeSharded(keys, config("schema-hash").manifestFormat("json")
        .customField("source", Map.of("table", "users", "day", 20261124)).build(), k -> k,
        k -> ("v" + k).getBytes(StandardCharsets.UTF_8));
    BuildResult cel = SnapshotWriter.writeSharded(keys, WriteConfig.builder()
        .s3Prefix("s3://" + bucket + "/schema-cel")
        .credentialProvider(new StaticCredentialProvider(s3.accessKey(), s3.secretKey()))
        .s3ConnectionOptions(options()).tempDir(tmp).manifestFormat("json")
        .sharding(ShardingSpec.cel("key", List.of(1000L, 2000L))).build(), k -> k,
        k -> new byte[] {1});
    assertThat(cel.stats().numDbs()).isEqualTo(3);
    assertThat(cel.winners()).extracting(s -> s.rowCount()).containsExactly(1000L, 1000L, 1000L);

    for (String path : List.of("schema-hash", "schema-cel")) {
      try (ObjectStore store = store(path)) {
        byte[] current = store.get(SnapshotLayout.CURRENT);
        ManifestSchemaAssertions.assertValidCurrentPointer(current);
        String ref = path.equals("schema-hash") ? hash.manifestRef() : cel.manifestRef();
        ManifestSchemaAssertions.assertValidManifest(store.get(store.keyOf(ref)));
      }
    }
  }

  @Test
  void wrongCredentialsFailWithoutPublishingAndAreNotRetryable() {
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(1L, 2L), config("bad-creds")
        .credentialProvider(new StaticCredentialProvider("nobody", "wrong-secret")).build(),
        k -> k, k -> new byte[] {1}))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("credentials")
        .satisfies(e -> assertThat(((StorageException) e).retryable()).isFalse());
    try (ObjectStore store = store("bad-creds")) {
      assertThat(store.list("")).isEmpty();
    }
  }

  @Test
  void anUnreachableEndpointIsARetryableErrorNamingTheEndpoint() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(1L), config("x")
        .s3ConnectionOptions(S3ConnectionOptions.builder().endpointUrl(endpoint)
            .addressingStyle("path").region("us-east-1").maxAttempts(2)
            .connectTimeout(Duration.ofSeconds(2)).build()).build(),
        k -> k, k -> new byte[] {1}))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(endpoint)
        .satisfies(e -> assertThat(((StorageException) e).retryable()).isTrue());
  }

  @Test
  void utf8KeysPublishTheirRangeAsStrings() {
    BuildResult r = SnapshotWriter.writeSharded(List.of("b", "a", "c"), config("utf8")
        .numDbs(1).keyEncoding(KeyEncoding.UTF8).build(), k -> k, k -> new byte[] {1});
    assertThat(r.winners()).singleElement().satisfies(s -> {
      assertThat(s.minKey()).isEqualTo("a");
      assertThat(s.maxKey()).isEqualTo("c");
    });
  }
}
