package io.shardyfusion.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.routing.KeyEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;
import java.util.regex.Pattern;

/**
 * JSON for manifests and {@code _CURRENT} pointers. Parsing checks everything a reader relies on
 * and throws {@link ManifestParseException} naming the source, the field and the bad value; the
 * same rules are published as JSON Schemas under {@code io/shardyfusion/schemas/}.
 */
public final class ManifestCodec {
  private static final Pattern CRC32C_HEX = Pattern.compile("[0-9a-f]{8}");
  private static final Pattern SHARD_FORMAT_NAME = Pattern.compile("[a-z0-9_-]{1,64}");

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

  public static byte[] toJson(Manifest manifest) {
    return write(manifest);
  }

  public static byte[] toJson(CurrentPointer pointer) {
    return write(pointer);
  }

  /**
   * Parses and validates a manifest.
   *
   * @param source where the bytes came from, quoted in error messages
   */
  public static Manifest parseManifest(byte[] json, String source) {
    Manifest m = read(json, Manifest.class, source, "manifest");
    validate(m, source);
    return m;
  }

  public static CurrentPointer parseCurrent(byte[] json, String source) {
    CurrentPointer p = read(json, CurrentPointer.class, source, "_CURRENT pointer");
    require(p.manifestRef() != null && !p.manifestRef().isBlank(), source,
        "manifest_ref is missing or empty");
    require(p.runId() != null && !p.runId().isBlank(), source, "run_id is missing or empty");
    require(p.updatedAt() != null, source, "updated_at is missing");
    require(p.manifestContentType() != null, source, "manifest_content_type is missing");
    require(p.formatVersion() >= 1 && p.formatVersion() <= CurrentPointer.FORMAT_VERSION, source,
        "format_version " + p.formatVersion() + " is not supported (this reader reads 1.."
            + CurrentPointer.FORMAT_VERSION + "); upgrade shardyfusion");
    return p;
  }

  private static void validate(Manifest m, String source) {
    BuildMeta r = m.required();
    require(r != null, source, "the 'required' object is missing");
    require(r.runId() != null && !r.runId().isBlank(), source, "required.run_id is missing");
    require(r.createdAt() != null, source, "required.created_at is missing");
    require(r.numDbs() > 0, source, "required.num_dbs must be > 0, got " + r.numDbs());
    require(r.formatVersion() >= 1 && r.formatVersion() <= BuildMeta.FORMAT_VERSION, source,
        "required.format_version " + r.formatVersion() + " is not supported (this reader reads 1.."
            + BuildMeta.FORMAT_VERSION + "); upgrade shardyfusion");
    // Which backends exist is the reader's business (ShardBackends): here only the shape.
    require(r.shardFormat() != null && SHARD_FORMAT_NAME.matcher(r.shardFormat()).matches(),
        source, "required.shard_format '" + r.shardFormat() + "' is not a backend name "
            + "(lowercase letters, digits, '-' or '_')");
    require(r.sharding() != null, source, "required.sharding is missing");
    KeyEncoding encoding;
    try {
      encoding = KeyEncoding.fromWireName(r.keyEncoding());
    } catch (ConfigValidationException e) {
      throw new ManifestParseException(prefix(source) + "required.key_encoding: "
          + e.getMessage(), e);
    }
    try {
      r.sharding().toSpec();
    } catch (ConfigValidationException e) {
      throw new ManifestParseException(prefix(source) + "required.sharding: " + e.getMessage(), e);
    }
    BitSet seen = new BitSet();
    for (int i = 0; i < m.shards().size(); i++) {
      ShardMeta s = m.shards().get(i);
      String at = "shards[" + i + "]";
      require(s != null, source, at + " is null");
      require(s.dbId() >= 0 && s.dbId() < r.numDbs(), source, at + ".db_id " + s.dbId()
          + " is outside 0.." + (r.numDbs() - 1) + " (num_dbs=" + r.numDbs() + ")");
      require(!seen.get(s.dbId()), source, at + ".db_id " + s.dbId() + " is listed twice");
      seen.set(s.dbId());
      require(s.dbUrl() != null && !s.dbUrl().isBlank(), source, at + ".db_url is missing");
      require(s.rowCount() > 0, source, at + ".row_count must be > 0 (empty shards are left "
          + "out of manifests), got " + s.rowCount());
      require(!s.files().isEmpty(), source, at + ".files is empty");
      long total = 0;
      for (ShardFile f : s.files()) {
        require(f.name() != null && !f.name().isBlank() && !f.name().contains("/")
            && !f.name().equals("..") && !f.name().equals("."), source,
            at + " has a file with an invalid name '" + f.name() + "'");
        require(f.size() >= 0, source, at + " file " + f.name() + " has negative size");
        require(f.crc32c() != null && CRC32C_HEX.matcher(f.crc32c()).matches(), source,
            at + " file " + f.name() + " has crc32c '" + f.crc32c()
                + "'; expected 8 lowercase hex digits");
        total += f.size();
      }
      require(total == s.dbBytes(), source, at + ".db_bytes " + s.dbBytes()
          + " does not equal the sum of its file sizes " + total);
      try {
        if (s.minKey() != null) {
          encoding.fromJsonValue(s.minKey());
        }
        if (s.maxKey() != null) {
          encoding.fromJsonValue(s.maxKey());
        }
      } catch (KeyValidationException | ClassCastException | IllegalArgumentException e) {
        throw new ManifestParseException(prefix(source) + at + " min_key/max_key do not fit key "
            + "encoding " + encoding.wireName() + ": " + e.getMessage(), e);
      }
    }
  }

  private static <T> T read(byte[] json, Class<T> type, String source, String what) {
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
      throw new UncheckedIOException(e);
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

  private static void require(boolean ok, String source, String problem) {
    if (!ok) {
      throw new ManifestParseException(prefix(source) + problem);
    }
  }

  private static String prefix(String source) {
    return "malformed manifest data at " + source + ": ";
  }

  private static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }
}
