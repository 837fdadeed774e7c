package io.shardyfusion.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.testing.S3FaultProxy.Fault;
import io.shardyfusion.testing.S3FaultProxy.Requests;
import io.shardyfusion.testing.S3FaultProxy.Rule;
import io.shardyfusion.testing.S3FaultProxy.Times;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The proxy itself, between the real SDK and the real S3Proxy: traffic passes unchanged, each
 * fault reaches the SDK as that failure, and counts select the requests they should.
 */
@UsesS3Proxy
class S3FaultProxyTest {
  private static final byte[] BIG = new byte[300_000];

  static {
    new Random(7).nextBytes(BIG);
  }

  private final S3ProxyServer s3;
  private S3FaultProxy proxy;
  private S3Client direct;
  private String bucket;

  S3FaultProxyTest(S3ProxyServer s3) {
    this.s3 = s3;
  }

  @BeforeEach
  void start() {
    proxy = S3FaultProxy.start(s3.endpointUri());
    direct = client(s3.endpoint(), 1, Duration.ofSeconds(10));
    bucket = s3.createUniqueBucket("faults");
    direct.putObject(b -> b.bucket(bucket).key("data/big.bin"), RequestBody.fromBytes(BIG));
  }

  @AfterEach
  void stop() {
    proxy.close();
    direct.close();
  }

  @Test
  void passesRequestsAndAnswersThroughUnchanged() {
    try (S3Client c = viaProxy(1)) {
      c.putObject(b -> b.bucket(bucket).key("data/up load+x=1.bin"), RequestBody.fromBytes(BIG));
      assertThat(c.getObjectAsBytes(b -> b.bucket(bucket).key("data/up load+x=1.bin"))
          .asByteArray()).isEqualTo(BIG);
      assertThat(c.listObjectsV2(b -> b.bucket(bucket).prefix("data/")).contents())
          .extracting(o -> o.key()).containsExactly("data/big.bin", "data/up load+x=1.bin");
      c.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
          o -> o.key("data/up load+x=1.bin"))));
      assertThatThrownBy(() -> c.getObjectAsBytes(b -> b.bucket(bucket).key("data/up load+x=1.bin")))
          .isInstanceOf(NoSuchKeyException.class);
    }
    assertThat(proxy.requestCount()).isEqualTo(5);
  }

  static Stream<Arguments> getFaults() {
    return Stream.of(
        Arguments.of(Fault.internalError(), "500 InternalError"),
        Arguments.of(Fault.slowDown(), "503 SlowDown"),
        Arguments.of(Fault.resetBeforeResponse(), "client"),
        Arguments.of(Fault.resetDuringResponseBody(), "client"),
        Arguments.of(Fault.truncateResponseBody(), "client"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("getFaults")
  void eachFaultReachesTheSdkAsThatFailure(Fault fault, String expected) {
    Rule rule = proxy.inject(Requests.get("data/big\\.bin"), fault, Times.first(1));
    try (S3Client c = viaProxy(1)) {
      if (expected.equals("client")) {
        assertThatThrownBy(() -> c.getObjectAsBytes(b -> b.bucket(bucket).key("data/big.bin")))
            .isInstanceOf(SdkClientException.class);
      } else {
        assertThatThrownBy(() -> c.getObjectAsBytes(b -> b.bucket(bucket).key("data/big.bin")))
            .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(
                e.statusCode() + " " + e.awsErrorDetails().errorCode()).isEqualTo(expected));
      }
      assertThat(rule.injected()).isEqualTo(1);
      // Spent: the next request passes.
      assertThat(c.getObjectAsBytes(b -> b.bucket(bucket).key("data/big.bin")).asByteArray())
          .isEqualTo(BIG);
      assertThat(rule.injected()).isEqualTo(1);
    }
  }

  @Test
  void theSdksRetriesOutlastTheFirstNFaults() {
    Rule rule = proxy.inject(Requests.get("data/.*"), Fault.truncateResponseBody(),
        Times.first(2));
    Rule other = proxy.inject(Requests.list(".*"), Fault.internalError(), Times.always());
    try (S3Client c = viaProxy(3)) {
      assertThat(c.getObjectAsBytes(b -> b.bucket(bucket).key("data/big.bin")).asByteArray())
          .isEqualTo(BIG);
    }
    assertThat(rule.injected()).isEqualTo(2);
    assertThat(rule.matched()).isEqualTo(2);
    assertThat(rule.log()).hasSize(2).allMatch(s -> s.startsWith("GET /" + bucket + "/data/big.bin"));
    assertThat(other.matched()).isZero();
    assertThat(proxy.injectedTotal()).isEqualTo(2);
  }

  @Test
  void nthFaultsOnlyThatRequest() {
    Rule rule = proxy.inject(Requests.get("data/big\\.bin"), Fault.slowDown(), Times.nth(2));
    try (S3Client c = viaProxy(1)) {
      c.getObjectAsBytes(b -> b.bucket(bucket).key("data/big.bin"));
      assertThatThrownBy(() -> c.getObjectAsBytes(b -> b.bucket(bucket).key("data/big.bin")))
          .isInstanceOf(S3Exception.class);
      c.getObjectAsBytes(b -> b.bucket(bucket).key("data/big.bin"));
    }
    assertThat(rule.injected()).isEqualTo(1);
    assertThat(rule.matched()).isEqualTo(2);
  }

  @Test
  void aResetDuringTheUploadLeavesNothingOnTheServer() {
    proxy.inject(Requests.put("data/new\\.bin"), Fault.resetDuringRequestBody(), Times.first(1));
    try (S3Client c = viaProxy(1)) {
      assertThatThrownBy(() -> c.putObject(b -> b.bucket(bucket).key("data/new.bin"),
          RequestBody.fromBytes(BIG))).isInstanceOf(SdkClientException.class);
    }
    assertThatThrownBy(() -> direct.headObject(b -> b.bucket(bucket).key("data/new.bin")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  @Test
  void aResetBeforeTheAnswerLeavesTheUploadDoneButUnacknowledged() {
    proxy.inject(Requests.put("data/new\\.bin"), Fault.resetBeforeResponse(), Times.first(1));
    try (S3Client c = viaProxy(1)) {
      assertThatThrownBy(() -> c.putObject(b -> b.bucket(bucket).key("data/new.bin"),
          RequestBody.fromBytes(BIG))).isInstanceOf(SdkClientException.class);
    }
    assertThat(direct.getObjectAsBytes(b -> b.bucket(bucket).key("data/new.bin")).asByteArray())
        .isEqualTo(BIG);
  }

  @Test
  void aDelayLongerThanTheReadTimeoutTimesOut() {
    Rule rule = proxy.inject(Requests.batchDelete(), Fault.delay(Duration.ofMillis(1500)),
        Times.first(1));
    try (S3Client c = client(proxy.endpoint(), 1, Duration.ofMillis(300))) {
      assertThatThrownBy(() -> c.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
          o -> o.key("data/big.bin"))))).isInstanceOf(SdkClientException.class)
          .hasMessageContaining("timed out");
    }
    assertThat(rule.injected()).isEqualTo(1);
  }

  private S3Client viaProxy(int maxAttempts) {
    return client(proxy.endpoint(), maxAttempts, Duration.ofSeconds(10));
  }

  private S3Client client(String endpoint, int maxAttempts, Duration readTimeout) {
    return s3.clientBuilder(endpoint)
        .httpClientBuilder(ApacheHttpClient.builder().socketTimeout(readTimeout))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy()
            .toBuilder().maxAttempts(maxAttempts)
            .backoffStrategy(BackoffStrategy.fixedDelay(Duration.ofMillis(10)))
            .throttlingBackoffStrategy(BackoffStrategy.fixedDelay(Duration.ofMillis(10)))
            .build()))
        .build();
  }
}
