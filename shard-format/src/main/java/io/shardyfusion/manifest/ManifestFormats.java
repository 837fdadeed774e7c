package io.shardyfusion.manifest;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The manifest formats this library reads, and the one it writes unless told otherwise.
 *
 * <pre>{@code
 * Manifest m = ManifestFormats.decode(bytes, "s3://bucket/prefix/manifests/.../manifest");
 * byte[] out = ManifestFormats.forName("json").encode(m);
 * }</pre>
 */
public final class ManifestFormats {
  /** JSON, {@code format_version} 1: what this project wrote in its first releases. */
  public static final ManifestFormat JSON = new JsonManifestFormat();

  // JSON first, then any format a module on the classpath registers for ServiceLoader (the
  // Python system's SQLite manifest lives in shardyfusion-shard-sqlite, next to SQLite).
  private static final List<ManifestFormat> ALL = load();

  private ManifestFormats() {}

  /** The format writers use when none is configured. */
  public static ManifestFormat defaultFormat() {
    return JSON;
  }

  /**
   * The format a manifest's {@code format_version} names (so that republishing a manifest
   * keeps its encoding), or the default one when no format on the classpath has that version.
   */
  public static ManifestFormat forManifest(Manifest manifest) {
    for (ManifestFormat f : ALL) {
      if (f.formatVersion() == manifest.required().formatVersion()) {
        return f;
      }
    }
    return defaultFormat();
  }

  /** Every readable format. */
  public static List<ManifestFormat> all() {
    return ALL;
  }

  /** The format called {@code name}; a clear, non-retryable error for any other name. */
  public static ManifestFormat forName(String name) {
    for (ManifestFormat f : ALL) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new ConfigValidationException("manifest format '" + name + "' is not known; use one of "
        + names());
  }

  /** Decodes a manifest of any known format, chosen by its bytes. */
  public static Manifest decode(byte[] bytes, String source) {
    if (bytes != null) {
      ManifestLimits.checkSize(bytes.length, ManifestLimits.maxManifestBytes(), "manifest",
          source);
    }
    return detect(bytes, source).decode(bytes, source);
  }

  /** The format {@code bytes} are in; a {@link ManifestParseException} when none knows them. */
  public static ManifestFormat detect(byte[] bytes, String source) {
    if (bytes == null || bytes.length == 0) {
      throw new ManifestParseException("malformed manifest data at " + source
          + ": manifest is empty");
    }
    for (ManifestFormat f : ALL) {
      if (f.recognizes(bytes)) {
        return f;
      }
    }
    throw new ManifestParseException("malformed manifest data at " + source + ": the object is "
        + "not a manifest in any format this reader knows (" + names() + "); it starts with "
        + describeStart(bytes) + ". Point the reader at a shardyfusion snapshot, or upgrade "
        + "shardyfusion if a newer writer made it");
  }

  private static List<ManifestFormat> load() {
    List<ManifestFormat> all = new ArrayList<>();
    all.add(JSON);
    for (ManifestFormat f : ServiceLoader.load(ManifestFormat.class,
        ManifestFormats.class.getClassLoader())) {
      if (all.stream().noneMatch(g -> g.name().equals(f.name()))) {
        all.add(f);
      }
    }
    return List.copyOf(all);
  }

  private static String names() {
    return ALL.stream().map(ManifestFormat::name).toList().toString();
  }

  private static String describeStart(byte[] bytes) {
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < Math.min(16, bytes.length); i++) {
      int c = bytes[i] & 0xff;
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return sb.append("'").toString();
  }
}
