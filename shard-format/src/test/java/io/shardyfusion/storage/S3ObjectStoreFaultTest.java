package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.testing.S3FaultProxy;
import io.shardyfusion.testing.S3FaultProxy.Fault;
import io.shardyfusion.testing.S3FaultProxy.Requests;
import io.shardyfusion.testing.S3FaultProxy.Times;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Answers cut short in transit: the SDK retries a truncated GET by itself but not a truncated
 * LIST or DeleteObjects answer (its XML parser fails first), so the store's retry strategy
 * adds that condition. Through {@link S3FaultProxy} to the real S3Proxy.
 */
@UsesS3Proxy
class S3ObjectStoreFaultTest {
  enum Cut { TRUNCATED, RESET }

  private final S3ProxyServer s3;

  S3ObjectStoreFaultTest(S3ProxyServer s3) {
    this.s3 = s3;
  }

  private ObjectStore store(S3FaultProxy proxy, String bucket, int maxAttempts) {
    return new S3ObjectStore(StorageLocation.parse("s3://" + bucket + "/p"),
        S3ConnectionOptions.builder().endpointUrl(proxy.endpoint()).addressingStyle("path")
            .region(s3.region()).maxAttempts(maxAttempts)
            .retryBaseDelay(Duration.ofMillis(5)).build(),
        new StaticCredentialProvider(s3.accessKey(), s3.secretKey()));
  }

  private static Fault fault(Cut cut) {
    return cut == Cut.TRUNCATED ? Fault.truncateResponseBody() : Fault.resetDuringResponseBody();
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void aListOrBatchDeleteAnswerCutShortIsRetried(Cut cut) {
    String bucket = s3.createUniqueBucket("cut");
    List<String> keys = IntStream.range(0, 20).mapToObj(i -> "k" + i).toList();
    try (S3FaultProxy proxy = S3FaultProxy.start(s3.endpointUri());
        ObjectStore store = store(proxy, bucket, 3)) {
      keys.forEach(k -> store.put(k, new byte[] {1}, "application/octet-stream"));
      S3FaultProxy.Rule list = proxy.inject(Requests.list(".*"), fault(cut), Times.first(2));
      assertThat(store.list("")).hasSize(20);
      assertThat(list.injected()).isEqualTo(2);

      S3FaultProxy.Rule delete = proxy.inject(Requests.batchDelete(), fault(cut),
          Times.first(2));
      store.deleteAll(keys);
      assertThat(delete.injected()).isEqualTo(2);
      proxy.clearRules();
      assertThat(store.list("")).isEmpty();
    }
  }

  /**
   * The bounded GET of manifests, pointers and run records reads its body inside the SDK's
   * retries (it once read a returned stream itself, and a reset mid-body failed a refresh).
   */
  @ParameterizedTest
  @EnumSource(Cut.class)
  void aBoundedGetCutShortIsRetried(Cut cut) {
    String bucket = s3.createUniqueBucket("cut");
    byte[] body = new byte[64 << 10];
    new java.util.Random(7).nextBytes(body);
    try (S3FaultProxy proxy = S3FaultProxy.start(s3.endpointUri());
        ObjectStore store = store(proxy, bucket, 3)) {
      store.put("manifest", body, "application/octet-stream");
      S3FaultProxy.Rule get = proxy.inject(Requests.get(".*manifest"), fault(cut), Times.first(2));
      assertThat(store.getIfExists("manifest", body.length)).hasValue(body);
      assertThat(get.injected()).isEqualTo(2);
      proxy.clearRules();
      assertThatThrownBy(() -> store.getIfExists("manifest", body.length - 1))
          .isInstanceOf(io.shardyfusion.errors.ObjectTooLargeException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void beyondTheRetriesItIsARetryableStorageError(Cut cut) {
    String bucket = s3.createUniqueBucket("cut");
    try (S3FaultProxy proxy = S3FaultProxy.start(s3.endpointUri());
        ObjectStore store = store(proxy, bucket, 2)) {
      store.put("k", new byte[] {1}, "application/octet-stream");
      proxy.inject(Requests.list(".*"), fault(cut), Times.always());
      assertThatThrownBy(() -> store.list("")).isInstanceOfSatisfying(StorageException.class,
          e -> assertThat(e.retryable()).as(e.getMessage()).isTrue());
    }
  }
}
