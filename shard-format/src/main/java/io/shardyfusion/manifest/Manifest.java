package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A published snapshot: build metadata, the winning shards (sorted by {@code db_id}, empty shards
 * left out) and user fields. Immutable; read and written through a {@link ManifestFormat}.
 */
public record Manifest(
    @JsonProperty(value = "required", required = true) BuildMeta required,
    @JsonProperty(value = "shards", required = true) List<ShardMeta> shards,
    @JsonProperty("custom") Map<String, Object> custom) {

  public Manifest {
    shards = shards == null ? List.of() : List.copyOf(shards);
    custom = custom == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(custom));
  }

  public String runId() {
    return required.runId();
  }

  public int numDbs() {
    return required.numDbs();
  }

  public KeyEncoding keyEncoding() {
    return KeyEncoding.fromWireName(required.keyEncoding());
  }

  public ShardingSpec shardingSpec() {
    return required.sharding().toSpec();
  }

  public Optional<ShardMeta> shard(int dbId) {
    for (ShardMeta s : shards) {
      if (s.dbId() == dbId) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  public long totalRows() {
    long n = 0;
    for (ShardMeta s : shards) {
      n += s.rowCount();
    }
    return n;
  }

  public long totalBytes() {
    long n = 0;
    for (ShardMeta s : shards) {
      n += s.dbBytes();
    }
    return n;
  }
}
