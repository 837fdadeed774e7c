package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The manifest's {@code required} object: what every reader needs to route and open a snapshot.
 * Field names mirror the Python system's manifest.
 */
public record BuildMeta(
    @JsonProperty("run_id") String runId,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("num_dbs") int numDbs,
    @JsonProperty("s3_prefix") String s3Prefix,
    @JsonProperty("key_col") String keyCol,
    @JsonProperty("sharding") ShardingMeta sharding,
    @JsonProperty("db_path_template") String dbPathTemplate,
    @JsonProperty("shard_prefix") String shardPrefix,
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("key_encoding") String keyEncoding,
    @JsonProperty("shard_format") String shardFormat) {

  /** The manifest format this library writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;
  /** Shards are RocksDB databases (a directory of SST, MANIFEST, OPTIONS and CURRENT files). */
  public static final String SHARD_FORMAT_ROCKSDB = "rocksdb";
  public static final String DB_PATH_TEMPLATE =
      "shards/run_id={run_id}/db={db_id:05d}/attempt={attempt}";
}
