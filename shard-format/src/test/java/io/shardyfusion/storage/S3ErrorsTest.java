package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.errors.StorageException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * How server answers that S3Proxy cannot be made to give (throttling, 5xx) map to errors. The
 * answers S3Proxy does give are covered end to end in {@link S3ObjectStoreTest}.
 */
class S3ErrorsTest {
  private static final String URL = "s3://bucket/p/key";
  private static final String ENDPOINT = "http://127.0.0.1:9000";

  @ParameterizedTest
  @CsvSource({
      "503, SlowDown,              true,  throttling",
      "429, TooManyRequests,       true,  throttling",
      "500, InternalError,         true,  retry later",
      "502, ,                      true,  retry later",
      "501, NotImplemented,        false, does not support",
      "403, AccessDenied,          false, check the credentials/credentialProvider and the bucket policy",
      "403, SignatureDoesNotMatch, false, check the credentials/credentialProvider",
      "404, NoSuchBucket,          false, create the bucket or fix s3Prefix",
      "400, InvalidArgument,       false, check the request",
      "301, PermanentRedirect,     false, check the region",
  })
  void serviceErrorsNameStatusCodeAndFix(int status, String code, boolean retryable,
      String hint) {
    S3Exception e = (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("msg").build())
        .message("msg").build();

    StorageException mapped = S3Errors.map("get", URL, ENDPOINT, e);

    assertThat(mapped.retryable()).isEqualTo(retryable);
    assertThat(mapped.getMessage()).startsWith("get " + URL).contains(ENDPOINT)
        .contains("HTTP " + status).contains(hint);
    if (code != null) {
      assertThat(mapped.getMessage()).contains(code);
    }
    assertThat(mapped.getCause()).isSameAs(e);
  }

  @Test
  void onlyNoSuchKeyCountsAsAMissingObject() {
    assertThat(S3Errors.isNoSuchKey(serviceError(404, "NoSuchKey"))).isTrue();
    assertThat(S3Errors.isNoSuchKey(serviceError(404, "NoSuchBucket"))).isFalse();
    assertThat(S3Errors.isNoSuchKey(serviceError(403, "AccessDenied"))).isFalse();
  }

  @Test
  void unknownHostIsRetryableAndPointsAtTheEndpoint() {
    SdkClientException e = SdkClientException.builder().message("Unable to execute HTTP request")
        .cause(new UnknownHostException("no.such.host")).build();
    StorageException mapped = S3Errors.map("put", URL, "https://no.such.host", e);
    assertThat(mapped.retryable()).isTrue();
    assertThat(mapped.getMessage()).contains("https://no.such.host")
        .contains("check endpointUrl and that the store is reachable");
  }

  @Test
  void connectionRefusedIsRetryable() {
    SdkClientException e = SdkClientException.builder().message("Unable to execute HTTP request")
        .cause(new ConnectException("Connection refused")).build();
    assertThat(S3Errors.map("list", URL, ENDPOINT, e).retryable()).isTrue();
  }

  @Test
  void anAnswerCutShortIsRetryable() {
    SdkClientException e = SdkClientException.builder().message("Could not parse XML response.")
        .cause(new javax.xml.stream.XMLStreamException("ParseError at [row,col]:[1,2032]"))
        .build();
    StorageException mapped = S3Errors.map("list", URL, ENDPOINT, e);
    assertThat(mapped.retryable()).isTrue();
    assertThat(mapped.getMessage()).contains("cut short or garbled");
    assertThat(S3Errors.unreadableAnswer(e)).isTrue();
    assertThat(S3Errors.unreadableAnswer(SdkClientException.create("no credentials"))).isFalse();
  }

  @Test
  void missingCredentialsAreNotRetryable() {
    SdkClientException e = SdkClientException.builder()
        .message("Unable to load credentials from any of the providers in the chain").build();
    StorageException mapped = S3Errors.map("get", URL, ENDPOINT, e);
    assertThat(mapped.retryable()).isFalse();
    assertThat(mapped.getMessage()).contains("check the credentials/credentialProvider");
  }

  @Test
  void batchDeleteRefusalIsRecognised() {
    assertThat(S3Errors.batchDeleteRefused(serviceError(501, "NotImplemented"))).isTrue();
    assertThat(S3Errors.batchDeleteRefused(serviceError(400, "MissingContentMD5"))).isTrue();
    assertThat(S3Errors.batchDeleteRefused(serviceError(403, "AccessDenied"))).isFalse();
    assertThat(S3Errors.batchDeleteRefused(serviceError(500, "InternalError"))).isFalse();
  }

  private static S3Exception serviceError(int status, String code) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).build();
  }
}
