package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The manifest's {@code required} object: what every reader needs to route and open a snapshot.
 * Field names mirror the Python system's manifest.
 */
public record BuildMeta(
    @JsonProperty(value = "run_id", required = true) String runId,
    @JsonProperty(value = "created_at", required = true) Instant createdAt,
    @JsonProperty(value = "num_dbs", required = true) int numDbs,
    @JsonProperty(value = "s3_prefix", required = true) String s3Prefix,
    @JsonProperty(value = "key_col", required = true) String keyCol,
    @JsonProperty(value = "sharding", required = true) ShardingMeta sharding,
    @JsonProperty(value = "db_path_template", required = true) String dbPathTemplate,
    @JsonProperty(value = "shard_prefix", required = true) String shardPrefix,
    @JsonProperty(value = "format_version", required = true) int formatVersion,
    @JsonProperty(value = "key_encoding", required = true) String keyEncoding,
    @JsonProperty(value = "shard_format", required = true) String shardFormat) {

  /** The manifest format this library writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;
  /**
   * The Python system's template: a shard's directory is
   * {@code <s3_prefix>/<shard_prefix>/run_id=<run>/<template formatted with db_id>/attempt=NN}.
   */
  public static final String DB_PATH_TEMPLATE = "db={db_id:05d}";
}
