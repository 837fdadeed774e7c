package io.shardyfusion.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The object store contract and S3 specifics, against a real S3Proxy server process. */
@UsesS3Proxy
class S3ObjectStoreTest extends ObjectStoreContractTest {
  private static final long MIB = 1024L * 1024;

  static S3ProxyServer server;
  static String bucket;
  /** A plain SDK client, to look at what the store wrote from outside the store. */
  static S3Client raw;

  @BeforeAll
  static void createBucket(S3ProxyServer s3) {
    server = s3;
    bucket = s3.createUniqueBucket("store-test");
    raw = S3Client.builder()
        .endpointOverride(URI.create(s3.endpoint()))
        .forcePathStyle(true)
        .region(Region.of(s3.region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  @AfterAll
  static void closeRaw() {
    raw.close();
  }

  @Override
  ObjectStore newStore() {
    return open("s3://" + bucket + "/t-" + UUID.randomUUID(), options().build(), credentials());
  }

  static S3ConnectionOptions.Builder options() {
    return S3ConnectionOptions.builder()
        .endpointUrl(server.endpoint())
        .addressingStyle("path")
        .maxAttempts(3);
  }

  static CredentialProvider credentials() {
    return new StaticCredentialProvider(server.accessKey(), server.secretKey());
  }

  static ObjectStore open(String prefix, S3ConnectionOptions options, CredentialProvider c) {
    ObjectStore s = ObjectStores.open(prefix, options, c);
    assertThat(s).isInstanceOf(S3ObjectStore.class);
    return s;
  }

  @Test
  void keysAreStoredUnderThePrefixPath() {
    store.put("shards/db=00000/x", new byte[] {1}, "application/octet-stream");
    String path = StorageLocation.parse(store.baseUrl()).path();
    assertThat(rawKeys(path + "/")).containsExactly(path + "/shards/db=00000/x");
  }

  @Test
  void keysAtTheBucketRootHaveNoLeadingSlash(S3ProxyServer s3) {
    String rootBucket = s3.createUniqueBucket("root-test");
    try (ObjectStore root = open("s3://" + rootBucket + "/", options().build(), credentials())) {
      assertThat(root.baseUrl()).isEqualTo("s3://" + rootBucket);
      root.put("_CURRENT", "{}".getBytes(UTF_8), "application/json");
      assertThat(raw.listObjectsV2(b -> b.bucket(rootBucket)).contents())
          .extracting(S3Object::key).containsExactly("_CURRENT");
      assertThat(keys(root.list(""))).containsExactly("_CURRENT");
    }
  }

  @Test
  void largeFileGoesUpInPartsAndDownloadsByteIdentical() throws Exception {
    Path src = tmp.resolve("big.bin");
    long size = 12 * MIB + 12_345;
    writeDeterministic(src, size, 42);
    try (ObjectStore mp = open(store.baseUrl(), options()
        .multipartThresholdBytes(5 * MIB).multipartPartSizeBytes(5 * MIB).build(),
        credentials())) {
      mp.putFile("shards/big.sst", src);

      // A multipart object's ETag is "<md5 of part md5s>-<part count>": 3 parts of <= 5 MiB.
      String key = StorageLocation.parse(store.baseUrl()).path() + "/shards/big.sst";
      String etag = raw.headObject(b -> b.bucket(bucket).key(key)).eTag();
      assertThat(etag.replace("\"", "")).endsWith("-3");

      Path back = tmp.resolve("back/big.bin");
      mp.download("shards/big.sst", back);
      assertThat(Files.size(back)).isEqualTo(size);
      assertThat(Files.mismatch(src, back)).isEqualTo(-1L);
      assertThat(mp.list("shards/")).extracting(ObjectInfo::key, ObjectInfo::size)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("shards/big.sst", size));
    }
    // Nothing left half-uploaded.
    assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
  }

  @Test
  void deleteAllWorksAcrossBatchesOfAThousand() {
    // 1003 keys make two DeleteObjects batches (1000 + 3). Only some exist: S3Proxy's
    // filesystem backend takes ~10 ms per PUT, and deleting a missing key is a no-op anyway.
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1003; i++) {
      keys.add(String.format("many/%04d", i));
    }
    List<Integer> existing = List.of(0, 500, 999, 1000, 1002);
    existing.forEach(i -> store.put(keys.get(i), new byte[] {1}, "text/plain"));
    store.put("keep", new byte[] {1}, "text/plain");
    assertThat(store.list("many/")).hasSize(existing.size());

    store.deleteAll(keys);

    assertThat(keys(store.list(""))).containsExactly("keep");
  }

  @Test
  void wrongCredentialsFailWithANonRetryableCredentialsHint() {
    try (ObjectStore bad = open(store.baseUrl(), options().build(),
        new StaticCredentialProvider(server.accessKey(), "not-the-secret"))) {
      assertThatThrownBy(() -> bad.put("x", new byte[] {1}, "text/plain"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("HTTP 403")
          .hasMessageContaining("credentials")
          .hasMessageContaining(bad.url("x"))
          .hasMessageContaining(server.endpoint())
          .satisfies(e -> assertThat(((StorageException) e).retryable()).isFalse());
      assertThatThrownBy(() -> bad.getIfExists("x"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("credentials");
    }
  }

  @Test
  void unreachableEndpointIsRetryableAndNamesTheEndpoint() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + deadPort;
    S3ConnectionOptions o = options().endpointUrl(endpoint).maxAttempts(2)
        .connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofSeconds(2))
        .apiCallTimeout(Duration.ofSeconds(10)).build();
    long start = System.nanoTime();
    try (ObjectStore dead = open("s3://" + bucket + "/p", o, credentials())) {
      assertThatThrownBy(() -> dead.get("x"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(endpoint)
          .hasMessageContaining("s3://" + bucket + "/p/x")
          .hasMessageContaining("check endpointUrl and that the store is reachable")
          .satisfies(e -> assertThat(((StorageException) e).retryable()).isTrue());
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void missingBucketIsANonRetryableErrorWithAFix() {
    String prefix = "s3://no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8) + "/p";
    try (ObjectStore nb = open(prefix, options().build(), credentials())) {
      assertThatThrownBy(() -> nb.put("x", new byte[] {1}, "text/plain"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("NoSuchBucket")
          .hasMessageContaining("create the bucket or fix s3Prefix")
          .hasMessageContaining(prefix + "/x")
          .satisfies(e -> assertThat(((StorageException) e).retryable()).isFalse());
      // A missing bucket is not a missing key: it must not read as "absent".
      assertThatThrownBy(() -> nb.getIfExists("x"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("NoSuchBucket");
      assertThatThrownBy(() -> nb.list(""))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("NoSuchBucket");
    }
  }

  private static List<String> rawKeys(String prefix) {
    return raw.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key).collect(Collectors.toList());
  }

  /** Pseudo-random bytes from a seed, written in 1 MiB steps so the heap stays small. */
  private static void writeDeterministic(Path file, long size, long seed) throws Exception {
    Random random = new Random(seed);
    byte[] chunk = new byte[(int) MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
  }
}
