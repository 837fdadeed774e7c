package io.shardyfusion.storage;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the sync S3 client a {@link S3ObjectStore} uses. */
final class S3Clients {
  // The SDK's own cap on one backoff delay.
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);

  private S3Clients() {}

  static S3Client create(S3ConnectionOptions o, CredentialProvider credentials,
      RequestRetryCounter retries) {
    S3ClientBuilder b = S3Client.builder()
        // Apache, never Netty (clashes with Spark's) nor CRT (its multipart fails on S3Proxy).
        .httpClientBuilder(ApacheHttpClient.builder()
            .connectionTimeout(o.connectTimeout())
            .socketTimeout(o.socketTimeout())
            .maxConnections(o.maxConnections()))
        .credentialsProvider(credentials.toAwsProvider())
        .region(region(o))
        // Since SDK 2.30 the default is a CRC32 checksum on every upload and trailing-checksum
        // chunked encoding; GCS interop, S3Proxy and older MinIO reject or mishandle it.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(c -> c
            .apiCallTimeout(o.apiCallTimeout())
            .addExecutionInterceptor(retries)
            // Standard strategy: exponential backoff with jitter, only on throttling, 5xx,
            // timeouts and I/O errors.
            .retryStrategy(retryStrategy(o)));
    if (o.endpointUrl() != null) {
      b.endpointOverride(URI.create(o.endpointUrl()));
    }
    if (!"auto".equals(o.addressingStyle())) {
      b.forcePathStyle(o.pathStyle());
    }
    return b.build();
  }

  private static RetryStrategy retryStrategy(S3ConnectionOptions o) {
    StandardRetryStrategy.Builder r = AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(o.maxAttempts())
        // In addition to the SDK's own conditions: an answer cut short (a LIST or
        // DeleteObjects body truncated in transit fails XML parsing, which the SDK would not
        // retry; found by the fault-injection tests).
        .retryOnException(S3Errors::unreadableAnswer);
    if (o.retryBaseDelay() != null) {
      r.backoffStrategy(BackoffStrategy.exponentialDelay(o.retryBaseDelay(), MAX_BACKOFF));
    }
    if (o.throttledRetryBaseDelay() != null) {
      r.throttlingBackoffStrategy(
          BackoffStrategy.exponentialDelay(o.throttledRetryBaseDelay(), MAX_BACKOFF));
    }
    return r.build();
  }

  /**
   * The configured region; with a custom endpoint and none configured, us-east-1 (S3-compatible
   * stores accept any region, the signer needs one); otherwise the SDK's region chain, falling
   * back to us-east-1 when it finds nothing.
   */
  static Region region(S3ConnectionOptions o) {
    if (o.region() != null && !o.region().isBlank()) {
      return Region.of(o.region());
    }
    if (o.endpointUrl() != null) {
      return Region.US_EAST_1;
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (SdkClientException e) {
      return Region.US_EAST_1;
    }
  }
}
