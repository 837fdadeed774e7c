package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The {@code _CURRENT} document: which manifest readers load. Written only after the manifest it
 * names is stored.
 */
public record CurrentPointer(
    @JsonProperty("manifest_ref") String manifestRef,
    @JsonProperty("manifest_content_type") String manifestContentType,
    @JsonProperty("run_id") String runId,
    @JsonProperty("updated_at") Instant updatedAt,
    @JsonProperty("format_version") int formatVersion) {

  public static final int FORMAT_VERSION = 1;
}
