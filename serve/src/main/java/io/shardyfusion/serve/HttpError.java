package io.shardyfusion.serve;

import io.shardyfusion.errors.ShardyfusionException;

/**
 * A request the server answers with an error status: {@code {"error": code, "message": ...}}.
 * Thrown inside the request handler only; the message names the problem and the fix.
 */
final class HttpError extends ShardyfusionException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;

  HttpError(int status, String code, String message) {
    // 503 (loading, shutting down) goes away by itself; the rest needs a different request.
    super(message, status == 503);
    this.status = status;
    this.code = code;
  }
}
