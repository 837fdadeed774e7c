package io.shardyfusion.manifest;

import static io.shardyfusion.manifest.ManifestCodec.prefix;
import static io.shardyfusion.manifest.ManifestCodec.require;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.routing.KeyEncoding;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The JSON manifest ({@code format_version} 1) of this project's first releases: pretty-printed
 * JSON with the field names of {@link Manifest}. Unknown fields are tolerated (newer writers may
 * add some) except inside {@code required.sharding}, where an unknown field is an error.
 */
final class JsonManifestFormat implements ManifestFormat {
  private static final Pattern CRC32C_HEX = Pattern.compile("[0-9a-f]{8}");
  private static final Pattern SHARD_FORMAT_NAME = Pattern.compile("[a-z0-9_-]{1,64}");
  private static final Set<String> SHARDING_FIELDS = jsonNames(ShardingMeta.class);

  @Override
  public String name() {
    return "json";
  }

  @Override
  public int formatVersion() {
    return BuildMeta.FORMAT_VERSION;
  }

  @Override
  public String contentType() {
    return "application/json";
  }

  /** JSON text: the first byte that is not white space starts a JSON value. */
  @Override
  public boolean recognizes(byte[] bytes) {
    for (byte b : bytes) {
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      }
      return "{[\"ntf-0123456789".indexOf(b) >= 0;
    }
    return false;
  }

  @Override
  public byte[] encode(Manifest manifest) {
    BuildMeta r = manifest.required();
    if (r.formatVersion() != BuildMeta.FORMAT_VERSION) {
      // A manifest read in another format (the SQLite manifest is version 4) is written as
      // what this format is: its format_version names the encoding, not the snapshot.
      manifest = new Manifest(new BuildMeta(r.runId(), r.createdAt(), r.numDbs(), r.s3Prefix(),
          r.keyCol(), r.sharding(), r.dbPathTemplate(), r.shardPrefix(), BuildMeta.FORMAT_VERSION,
          r.keyEncoding(), r.shardFormat()), manifest.shards(), manifest.custom());
    }
    return ManifestCodec.write(manifest);
  }

  @Override
  public Manifest decode(byte[] bytes, String source) {
    rejectUnknownShardingFields(bytes, source);
    Manifest m = ManifestCodec.read(bytes, Manifest.class, source, "manifest");
    validate(m, source);
    return m;
  }

  private static void rejectUnknownShardingFields(byte[] bytes, String source) {
    JsonNode sharding;
    try {
      sharding = ManifestCodec.mapper().readTree(bytes).path("required").path("sharding");
    } catch (IOException e) {
      return; // not JSON: read() reports it with the position
    }
    Set<String> unknown = new TreeSet<>();
    for (Iterator<String> it = sharding.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!SHARDING_FIELDS.contains(f)) {
        unknown.add(f);
      }
    }
    require(unknown.isEmpty(), source, "required.sharding has field(s) " + unknown
        + " this reader does not understand (it knows " + SHARDING_FIELDS + "); ignoring them "
        + "could misroute keys: upgrade shardyfusion to read this snapshot");
  }

  private static Set<String> jsonNames(Class<? extends Record> type) {
    Set<String> names = new TreeSet<>();
    for (RecordComponent c : type.getRecordComponents()) {
      JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
      names.add(p != null && !p.value().isEmpty() ? p.value() : c.getName());
    }
    return Set.copyOf(names);
  }

  static void validate(Manifest m, String source) {
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
    // ids, counts, sizes and locations: the checks every format shares
    ManifestChecks.validate(m, source);
    for (int i = 0; i < m.shards().size(); i++) {
      ShardMeta s = m.shards().get(i);
      String at = "shards[" + i + "]";
      require(s.rowCount() > 0, source, at + ".row_count must be > 0 (empty shards are left "
          + "out of manifests), got " + s.rowCount());
      for (ShardFile f : s.files()) {
        require(f.crc32c() != null && CRC32C_HEX.matcher(f.crc32c()).matches(), source,
            at + " file " + f.name() + " has crc32c '" + f.crc32c()
                + "'; expected 8 lowercase hex digits");
      }
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

}
