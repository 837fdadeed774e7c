package io.shardyfusion.manifest;

import io.shardyfusion.errors.ConfigValidationException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.shardyfusion.errors.ManifestParseException;
import java.io.IOException;

/**
 * JSON for {@code _CURRENT} pointers, and the configured mapper JSON manifests and run records
 * share. Parsing checks everything a reader relies on and throws {@link ManifestParseException}
 * naming the source, the field and the bad value; the same rules are published as JSON Schemas
 * under {@code io/shardyfusion/schemas/}. Manifests themselves go through a
 * {@link ManifestFormat}.
 */
public final class ManifestCodec {
  /** The content type of JSON objects: pointers, run records and JSON manifests. */
  public static final String JSON_CONTENT_TYPE = "application/json";

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      // Newer writers may add fields; older readers keep working.
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      // Fields marked @JsonProperty(required = true) must be present; optional ones (min_key,
      // writer_info, cel_expr, ...) are omitted when null by the writer, so missing means null.
      // FAIL_ON_MISSING_CREATOR_PROPERTIES would reject the writer's own output.
      .disable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .build();

  private ManifestCodec() {}

  /** The shared, configured mapper (thread-safe). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Compact JSON with sorted keys, as the Python system writes {@code _CURRENT}. */
  public static byte[] toJson(CurrentPointer pointer) {
    try {
      return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsBytes(pointer);
    } catch (JsonProcessingException e) {
      throw new ConfigValidationException("cannot encode the pointer to " + pointer.manifestRef()
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static CurrentPointer parseCurrent(byte[] json, String source) {
    if (json != null) {
      ManifestLimits.checkSize(json.length, ManifestLimits.MAX_POINTER_BYTES, "_CURRENT pointer",
          source);
    }
    CurrentPointer p = read(json, CurrentPointer.class, source, "_CURRENT pointer");
    require(p.manifestRef() != null && !p.manifestRef().isBlank(), source,
        "manifest_ref is missing or empty");
    require(p.manifestRef().length() <= ManifestLimits.MAX_URL_LENGTH
        && p.manifestRef().chars().noneMatch(c -> c < 0x20 || c == 0x7f), source,
        "manifest_ref '" + ManifestChecks.printable(p.manifestRef()) + "' has control "
            + "characters or is longer than " + ManifestLimits.MAX_URL_LENGTH + " characters: "
            + "the pointer is damaged; republish or roll back to a known manifest");
    require(p.runId() != null && !p.runId().isBlank(), source, "run_id is missing or empty");
    require(p.updatedAt() != null, source, "updated_at is missing");
    require(p.manifestContentType() != null, source, "manifest_content_type is missing");
    require(p.formatVersion() >= 1 && p.formatVersion() <= CurrentPointer.FORMAT_VERSION, source,
        "format_version " + p.formatVersion() + " is not supported (this reader reads 1.."
            + CurrentPointer.FORMAT_VERSION + "); upgrade shardyfusion");
    return p;
  }

  static <T> T read(byte[] json, Class<T> type, String source, String what) {
    if (json == null || json.length == 0) {
      throw new ManifestParseException(prefix(source) + what + " is empty");
    }
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new ManifestParseException(prefix(source) + what + " is JSON null");
      }
      return value;
    } catch (JsonMappingException e) {
      throw new ManifestParseException(prefix(source) + what + " has a bad or missing field at "
          + path(e) + ": " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new ManifestParseException(prefix(source) + what + " is not valid JSON: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      // Parsing bytes in memory does no I/O; Jackson declares it anyway.
      throw new ManifestParseException(prefix(source) + what + " cannot be read: " + e, e);
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "the top level" : "'" + sb + "'";
  }

  static void require(boolean ok, String source, String problem) {
    if (!ok) {
      throw new ManifestParseException(prefix(source) + problem);
    }
  }

  static String prefix(String source) {
    return "malformed manifest data at " + source + ": ";
  }

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      // Only user-supplied values (custom fields) can fail to serialise.
      throw new ConfigValidationException("cannot encode the " + value.getClass().getSimpleName()
          + " as JSON: " + e.getOriginalMessage() + "; custom fields must be JSON values "
          + "(strings, numbers, booleans, lists, maps)", e);
    }
  }
}
