package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A published (winning) shard. {@code checkpointId} is the Python system's per-shard identity
 * (a fresh uuid hex per upload); its readers key their local cache on (db_url, checkpoint_id).
 * {@code minKey}/{@code maxKey} are in the key encoding's JSON form
 * (number, string, or base64 for raw keys). Shards with no rows are not listed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardMeta(
    @JsonProperty(value = "db_id", required = true) int dbId,
    @JsonProperty(value = "db_url", required = true) String dbUrl,
    @JsonProperty("attempt") String attempt,
    @JsonProperty(value = "row_count", required = true) long rowCount,
    @JsonProperty(value = "db_bytes", required = true) long dbBytes,
    @JsonProperty("min_key") Object minKey,
    @JsonProperty("max_key") Object maxKey,
    @JsonProperty(value = "files", required = true) List<ShardFile> files,
    @JsonProperty("writer_info") WriterInfo writerInfo,
    @JsonProperty("content_hash") String contentHash,
    @JsonProperty("checkpoint_id") String checkpointId) implements java.io.Serializable {

  public ShardMeta {
    files = files == null ? List.of() : List.copyOf(files);
  }

  /**
   * Without a checkpoint id (manifests this project wrote before it wrote the Python system's
   * manifest).
   */
  public ShardMeta(int dbId, String dbUrl, String attempt, long rowCount, long dbBytes,
      Object minKey, Object maxKey, List<ShardFile> files, WriterInfo writerInfo,
      String contentHash) {
    this(dbId, dbUrl, attempt, rowCount, dbBytes, minKey, maxKey, files, writerInfo,
        contentHash, null);
  }

  /** Where the attempt ran and how long it took; for operators, never for routing. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WriterInfo(
      @JsonProperty("writer") String writer,
      @JsonProperty("host") String host,
      @JsonProperty(value = "duration_ms", required = true) long durationMs)
      implements java.io.Serializable {}
}
