package io.shardyfusion.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;

/**
 * The {@code _CURRENT} document: which manifest readers load. Written only after the manifest it
 * names is stored.
 */
@JsonPropertyOrder(alphabetic = true) // compact, sorted keys: the Python system's bytes
public record CurrentPointer(
    @JsonProperty(value = "manifest_ref", required = true) String manifestRef,
    @JsonProperty(value = "manifest_content_type", required = true) String manifestContentType,
    @JsonProperty(value = "run_id", required = true) String runId,
    @JsonProperty(value = "updated_at", required = true) Instant updatedAt,
    @JsonProperty(value = "format_version", required = true) int formatVersion) {

  public static final int FORMAT_VERSION = 1;
}
