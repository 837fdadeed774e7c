package io.shardyfusion.manifest;

import io.shardyfusion.errors.ManifestParseException;

/**
 * The bounds a reader applies to what it reads from a store before it trusts it: a manifest, a
 * {@code _CURRENT} pointer or a run record larger than its bound is refused before it is parsed
 * (a hostile or broken writer cannot make a reader run out of memory), and a manifest may not
 * claim more shards than a reader can hold.
 *
 * <pre>{@code
 * // a service that reads a snapshot with a 100 MB manifest:
 * //   java -Dshardyfusion.manifest.maxBytes=134217728 ...
 * ManifestLimits.checkSize(bytes.length, ManifestLimits.maxManifestBytes(), "manifest", url);
 * }</pre>
 */
public final class ManifestLimits {
  /**
   * The most shards a manifest may declare. The writer builds at most 65,536
   * ({@code ShardCount.MAX_NUM_DBS}); readers accept 16 times that, so Python-written
   * snapshots with more shards still read, while {@code num_dbs = 2^31-1} is refused before a
   * reader sizes anything by it.
   */
  public static final int MAX_NUM_DBS = 1 << 20;
  /** The most files one shard may list (a RocksDB shard has a handful). */
  public static final int MAX_FILES_PER_SHARD = 10_000;
  /** The longest shard file name (the POSIX NAME_MAX most file systems share). */
  public static final int MAX_FILE_NAME_LENGTH = 255;
  /** The longest db_url or manifest ref (S3 keys are at most 1,024 bytes). */
  public static final int MAX_URL_LENGTH = 2_048;
  /** The largest {@code _CURRENT} pointer: a few hundred bytes in practice. */
  public static final int MAX_POINTER_BYTES = 64 * 1024;
  /** The largest run record: a few hundred bytes in practice, more with a long error message. */
  public static final int MAX_RUN_RECORD_BYTES = 1024 * 1024;
  /** System property that raises (or lowers) {@link #maxManifestBytes()}. */
  public static final String MAX_MANIFEST_BYTES_PROPERTY = "shardyfusion.manifest.maxBytes";
  /**
   * The default largest manifest: 64 MiB. A 65,536-shard RocksDB snapshot's JSON manifest is
   * about 40 MiB, its SQLite manifest about 10 MiB.
   */
  public static final long DEFAULT_MAX_MANIFEST_BYTES = 64L * 1024 * 1024;

  private ManifestLimits() {}

  /**
   * The largest manifest readers load: {@value #MAX_MANIFEST_BYTES_PROPERTY} when set (read on
   * each call, so a test or a service can change it), else {@link #DEFAULT_MAX_MANIFEST_BYTES}.
   * Never above {@code Integer.MAX_VALUE - 8}: a manifest is parsed from one byte array.
   */
  public static long maxManifestBytes() {
    String v = System.getProperty(MAX_MANIFEST_BYTES_PROPERTY);
    long max = DEFAULT_MAX_MANIFEST_BYTES;
    if (v != null && !v.isBlank()) {
      try {
        max = Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        max = DEFAULT_MAX_MANIFEST_BYTES; // a typo must not lift the bound
      }
    }
    return Math.max(1, Math.min(max, Integer.MAX_VALUE - 8));
  }

  /**
   * Refuses an object larger than {@code max} bytes.
   *
   * @param what "manifest", "_CURRENT pointer", "run record"
   * @throws ManifestParseException (not retryable) naming the object, its size and the bound
   */
  public static void checkSize(long size, long max, String what, String source) {
    if (size > max) {
      throw new ManifestParseException("malformed manifest data at " + source + ": the " + what
          + " is " + size + " bytes, more than the " + max + " bytes a reader loads; it is not "
          + "a shardyfusion " + what + " or its writer is broken"
          + (what.equals("manifest") ? " (raise the bound with -D" + MAX_MANIFEST_BYTES_PROPERTY
              + "=BYTES if the snapshot really has such a manifest)" : ""));
    }
  }
}
