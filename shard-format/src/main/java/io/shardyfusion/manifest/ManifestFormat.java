package io.shardyfusion.manifest;

/**
 * One way to serialize a {@link Manifest}. Readers never configure a format: they hand the bytes
 * to {@link ManifestFormats#decode}, which picks the format that {@link #recognizes} them.
 * Writers choose one by name ({@code WriteConfig.manifestFormat}); the pointer records its
 * {@link #contentType()}.
 *
 * <p>Decoding validates everything a reader relies on and throws
 * {@link io.shardyfusion.errors.ManifestParseException} naming the source, the field and the bad
 * value; unknown sharding fields are an error, never ignored, because a reader that skipped one
 * would misroute keys.
 */
public interface ManifestFormat {

  /** The name writers select it by, e.g. {@code json}. */
  String name();

  /** The {@code format_version} manifests of this format carry (JSON 1, SQLite 4). */
  int formatVersion();

  /** The MIME type objects of this format are stored with and the pointer names. */
  String contentType();

  /** Whether {@code bytes} (a whole manifest) look like this format, by their first bytes. */
  boolean recognizes(byte[] bytes);

  byte[] encode(Manifest manifest);

  /**
   * Parses and validates a manifest.
   *
   * @param source where the bytes came from, quoted in error messages
   */
  Manifest decode(byte[] bytes, String source);
}
