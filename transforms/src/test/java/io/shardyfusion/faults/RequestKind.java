package io.shardyfusion.faults;

import io.shardyfusion.testing.S3FaultProxy.Request;
import io.shardyfusion.testing.S3FaultProxy.Requests;
import java.util.function.Predicate;

/**
 * The S3 requests the matrix faults, by the keys this project's layout gives them. Shard
 * requests are narrowed to one shard (db 1) so that "the first N matching" means N tries of
 * one request, whatever the writer does in parallel.
 */
enum RequestKind {
  PUT_SHARD("PUT shard file", true),
  PUT_MANIFEST("PUT manifest", true),
  PUT_CURRENT("PUT _CURRENT", true),
  PUT_RUN_RECORD("PUT run record", true),
  GET_CURRENT("GET _CURRENT", false),
  GET_MANIFEST("GET manifest", false),
  GET_SHARD("GET shard file", false),
  LIST("LIST", false),
  DELETE("DELETE (batch)", false);

  final String label;
  final boolean upload;

  RequestKind(String label, boolean upload) {
    this.label = label;
    this.upload = upload;
  }

  /**
   * @param runFilter a regex for the run id whose shard requests to fault ({@code [^/]+}: any)
   * @param listPrefix a regex for the LIST prefix to fault
   */
  Predicate<Request> match(String runFilter, String listPrefix) {
    String shard = ".*shards/run_id=" + runFilter + "/db=00001/attempt=[^/]+/[^/]+";
    return switch (this) {
      case PUT_SHARD -> Requests.put(shard);
      case PUT_MANIFEST -> Requests.put(".*manifests/[^/]+/manifest");
      case PUT_CURRENT -> Requests.put(".*_CURRENT");
      case PUT_RUN_RECORD -> Requests.put(".*runs/[^/]+/run\\.yaml");
      case GET_CURRENT -> Requests.get(".*_CURRENT");
      case GET_MANIFEST -> Requests.get(".*manifests/[^/]+/manifest");
      case GET_SHARD -> Requests.get(shard);
      case LIST -> Requests.list(listPrefix);
      case DELETE -> Requests.batchDelete();
    };
  }

  @Override
  public String toString() {
    return label;
  }
}
