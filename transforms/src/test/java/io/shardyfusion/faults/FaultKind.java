package io.shardyfusion.faults;

import io.shardyfusion.testing.S3FaultProxy.Fault;
import java.time.Duration;

/** The failures the matrix injects, each as the proxy answers it. */
enum FaultKind {
  HTTP_500("500 InternalError", true, true),
  SLOW_DOWN_503("503 SlowDown", true, true),
  /** Reset while the client sends the body: PUTs only (the others have no body to cut). */
  RESET_DURING_REQUEST_BODY("reset during request body", true, false),
  /** The server did the work, the client never hears: the ambiguous case. */
  RESET_BEFORE_RESPONSE("reset before response (request done)", true, true),
  /** Cut answers: only answers with a body (GET, LIST, DELETE batch). */
  RESET_DURING_RESPONSE_BODY("reset during response body", false, true),
  TRUNCATED_RESPONSE_BODY("truncated body (Content-Length says more)", false, true),
  /** Slower than usual but within the read timeout: no retry needed. */
  SLOW("slow answer (200 ms)", true, true),
  /**
   * No answer within the read timeout (the matrix sets 1 s for these cases) and the request
   * never reaches the server: retried.
   */
  TIMEOUT("no answer (read timeout)", true, true);

  static final Duration TIMEOUT_READ = Duration.ofSeconds(1);

  final String label;
  final boolean onUploads;
  final boolean onAnswersWithBody;

  FaultKind(String label, boolean onUploads, boolean onAnswersWithBody) {
    this.label = label;
    this.onUploads = onUploads;
    this.onAnswersWithBody = onAnswersWithBody;
  }

  Fault fault() {
    return switch (this) {
      case HTTP_500 -> Fault.internalError();
      case SLOW_DOWN_503 -> Fault.slowDown();
      case RESET_DURING_REQUEST_BODY -> Fault.resetDuringRequestBody();
      case RESET_BEFORE_RESPONSE -> Fault.resetBeforeResponse();
      case RESET_DURING_RESPONSE_BODY -> Fault.resetDuringResponseBody();
      case TRUNCATED_RESPONSE_BODY -> Fault.truncateResponseBody();
      case SLOW -> Fault.delay(Duration.ofMillis(200));
      case TIMEOUT -> Fault.hang(TIMEOUT_READ.plusSeconds(1));
    };
  }

  /** Whether a request that always meets this fault can fail at all (a slow answer cannot). */
  boolean canExhaustRetries() {
    return this != SLOW;
  }

  /** Whether the server still receives and handles the request (only the answer suffers). */
  boolean forwards() {
    return this == RESET_BEFORE_RESPONSE || this == RESET_DURING_RESPONSE_BODY
        || this == TRUNCATED_RESPONSE_BODY || this == SLOW;
  }

  boolean appliesTo(RequestKind r) {
    return r.upload ? onUploads : onAnswersWithBody;
  }

  @Override
  public String toString() {
    return label;
  }
}
