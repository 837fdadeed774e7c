package io.shardyfusion.storage;

import io.shardyfusion.errors.StorageException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns SDK failures into {@link StorageException}s that say what was attempted, where, what
 * the server answered and what to do about it. The SDK has already retried what it could, so
 * {@code retryable} tells the caller whether running the whole operation again later may help.
 */
final class S3Errors {
  private static final Set<String> AUTH_CODES = Set.of("AccessDenied", "InvalidAccessKeyId",
      "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AllAccessDisabled");
  private static final Set<String> THROTTLING_CODES = Set.of("SlowDown", "Throttling",
      "ThrottlingException", "RequestLimitExceeded", "TooManyRequests", "ServiceUnavailable");
  private static final Set<String> REGION_CODES = Set.of("PermanentRedirect",
      "AuthorizationHeaderMalformed", "IllegalLocationConstraintException");

  private S3Errors() {}

  /**
   * @param op what was attempted, e.g. "get"
   * @param url the full s3:// URL of the object or prefix
   * @param endpoint a description of the endpoint, for the message
   */
  static StorageException map(String op, String url, String endpoint, SdkException e) {
    if (e instanceof AwsServiceException) {
      return service(op, url, endpoint, (AwsServiceException) e);
    }
    return client(op, url, endpoint, e);
  }

  /** True for the "no such key" answer (and only that: a missing bucket is also a 404). */
  static boolean isNoSuchKey(SdkException e) {
    if (!(e instanceof AwsServiceException)) {
      return false;
    }
    AwsServiceException s = (AwsServiceException) e;
    String code = code(s);
    return "NoSuchKey".equals(code) || (s.statusCode() == 404 && code == null);
  }

  private static StorageException service(String op, String url, String endpoint,
      AwsServiceException e) {
    int status = e.statusCode();
    String code = code(e);
    String serverMessage = e.awsErrorDetails() == null ? null
        : e.awsErrorDetails().errorMessage();
    boolean throttled = status == 429 || e.isThrottlingException()
        || in(THROTTLING_CODES, code);
    // 501 Not Implemented will not start working by itself.
    boolean retryable = throttled || (status >= 500 && status != 501);
    String hint;
    if (status == 403 || in(AUTH_CODES, code)) {
      hint = "check the credentials/credentialProvider and the bucket policy";
    } else if ("NoSuchBucket".equals(code)) {
      hint = "create the bucket or fix s3Prefix";
    } else if (in(REGION_CODES, code) || status == 301) {
      hint = "check the region and endpointUrl (the bucket lives elsewhere)";
    } else if (throttled) {
      hint = "the store is throttling; retry later or lower the request rate/parallelism";
    } else if (retryable) {
      hint = "the store failed; retry later";
    } else if (status == 501) {
      hint = "the store does not support this S3 operation";
    } else {
      hint = "check the request";
    }
    String msg = op + " " + url + " failed at endpoint " + endpoint + ": HTTP " + status
        + (code == null ? "" : " " + code)
        + (serverMessage == null ? "" : " (" + serverMessage + ")")
        + "; " + hint;
    return new StorageException(msg, retryable, e);
  }

  private static StorageException client(String op, String url, String endpoint,
      SdkException e) {
    Throwable root = networkCause(e);
    boolean timeout = e instanceof ApiCallTimeoutException
        || e instanceof ApiCallAttemptTimeoutException
        || root instanceof SocketTimeoutException || root instanceof InterruptedIOException;
    boolean unreachable = root instanceof ConnectException
        || root instanceof UnknownHostException || root instanceof NoRouteToHostException;
    String hint;
    boolean retryable;
    if (unreachable || timeout) {
      hint = "check endpointUrl and that the store is reachable";
      retryable = true;
    } else if (root instanceof IOException) {
      hint = "the connection failed; retry later";
      retryable = true;
    } else if (unreadableAnswer(e)) {
      hint = "the store's answer was cut short or garbled in transit; retry later";
      retryable = true;
    } else if (String.valueOf(e.getMessage()).contains("credentials")) {
      hint = "check the credentials/credentialProvider";
      retryable = false;
    } else {
      hint = "see the cause";
      retryable = e.retryable();
    }
    String what = timeout ? "timed out" : unreachable ? "could not connect" : "failed";
    String msg = op + " " + url + " " + what + " at endpoint " + endpoint + ": " + e.getMessage()
        + "; " + hint;
    return new StorageException(msg, retryable, e);
  }

  /**
   * An answer whose body could not be read or parsed: a connection that closed before the
   * Content-Length was reached surfaces from the SDK's XML unmarshaller as an
   * {@code XMLStreamException}, not an {@code IOException}, and the SDK does not retry it.
   * Any S3 call this project makes may be repeated (GETs, LISTs, PUTs of whole objects,
   * deletes), so such an answer is as retryable as a dropped connection.
   */
  static boolean unreadableAnswer(Throwable e) {
    if (!(e instanceof SdkClientException)) {
      return false;
    }
    for (Throwable t = e.getCause(); t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof IOException || t instanceof javax.xml.stream.XMLStreamException) {
        return true;
      }
    }
    return false;
  }

  private static Throwable networkCause(SdkException e) {
    // The SDK wraps the socket error, sometimes twice; the innermost IOException says most.
    Throwable found = e;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof IOException) {
        found = t;
        if (t instanceof ConnectException || t instanceof UnknownHostException
            || t instanceof SocketTimeoutException || t instanceof NoRouteToHostException) {
          return t;
        }
      }
    }
    return found;
  }

  private static String code(AwsServiceException e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  // Set.of(...).contains(null) throws, and HEAD answers carry no error code.
  private static boolean in(Set<String> codes, String code) {
    return code != null && codes.contains(code);
  }

  /** Whether the server refused a DeleteObjects (batch) call as such, not the keys in it. */
  static boolean batchDeleteRefused(SdkException e) {
    if (!(e instanceof AwsServiceException)) {
      return false;
    }
    int status = ((AwsServiceException) e).statusCode();
    // GCS interop and some gateways answer 400 (e.g. MissingContentMD5), 405 or 501.
    return status == 400 || status == 405 || status == 501;
  }
}
