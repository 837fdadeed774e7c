package io.shardyfusion.manifest;

import io.shardyfusion.errors.ManifestParseException;
import java.util.BitSet;

/**
 * The checks every manifest format applies to what it decoded, whatever its encoding: shard
 * counts a reader can hold, db ids in range and listed once, sizes that are not negative, and
 * locations that cannot name anything outside the snapshot (no {@code ..} or {@code .} path
 * segments, also percent-encoded, no empty segments, no control characters or NUL). Where a
 * {@code db_url} points is checked again by the reader, against its own store's prefix.
 *
 * <pre>{@code
 * Manifest m = decodeMyFormat(bytes);
 * ManifestChecks.validate(m, source); // throws ManifestParseException naming the field
 * }</pre>
 */
public final class ManifestChecks {
  private ManifestChecks() {}

  /**
   * Validates the parts of {@code m} all formats share.
   *
   * @param source where the manifest came from, quoted in messages
   * @throws ManifestParseException (not retryable) naming the field, the value and the fix
   */
  public static void validate(Manifest m, String source) {
    BuildMeta r = m.required();
    require(r != null, source, "the build metadata (required) is missing");
    require(r.numDbs() > 0 && r.numDbs() <= ManifestLimits.MAX_NUM_DBS, source, "num_dbs "
        + r.numDbs() + " is outside 1.." + ManifestLimits.MAX_NUM_DBS + " (the most shards a "
        + "reader holds); the manifest is damaged or not a shardyfusion manifest");
    require(m.shards().size() <= r.numDbs(), source, "lists " + m.shards().size()
        + " shards for num_dbs=" + r.numDbs() + "; a snapshot has at most num_dbs shards");
    if (r.sharding() != null) {
      int implied;
      try {
        implied = r.sharding().toSpec().impliedNumDbs();
      } catch (io.shardyfusion.errors.ConfigValidationException e) {
        throw new ManifestParseException("malformed manifest data at " + source
            + ": sharding: " + e.getMessage(), e);
      }
      require(implied < 0 || implied == r.numDbs(), source, "num_dbs is " + r.numDbs()
          + " but the sharding's boundaries or routing values make " + implied + " shards; "
          + "they must agree");
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
      checkUrl(s.dbUrl(), source, at + ".db_url");
      require(s.rowCount() >= 0, source, at + ".row_count is negative: " + s.rowCount());
      require(s.dbBytes() >= 0, source, at + ".db_bytes is negative: " + s.dbBytes());
      require(!s.files().isEmpty(), source, at + ".files is empty: a shard has at least one "
          + "file");
      require(s.files().size() <= ManifestLimits.MAX_FILES_PER_SHARD, source, at + " lists "
          + s.files().size() + " files, more than " + ManifestLimits.MAX_FILES_PER_SHARD);
      long total = 0;
      for (ShardFile f : s.files()) {
        require(f != null, source, at + " has a null file entry");
        checkFileName(f.name(), source, at);
        require(f.size() >= 0, source, at + " file " + f.name() + " has negative size "
            + f.size());
        total = total > Long.MAX_VALUE - f.size() ? -1 : total + f.size();
        require(total >= 0, source, at + " file sizes add up to more than 2^63-1 bytes");
      }
      require(total == s.dbBytes(), source, at + ".db_bytes " + s.dbBytes()
          + " does not equal the sum of its file sizes " + total);
    }
  }

  /**
   * A shard location: {@code scheme://authority/path} with no segment that could climb out of
   * the snapshot ({@code ..}, {@code .}, also percent-encoded), no empty segment and no control
   * character (NUL included).
   */
  public static void checkUrl(String url, String source, String field) {
    require(url != null && !url.isBlank(), source, field + " is missing");
    require(url.length() <= ManifestLimits.MAX_URL_LENGTH, source, field + " is "
        + url.length() + " characters long, more than " + ManifestLimits.MAX_URL_LENGTH);
    String problem = locationProblem(url);
    require(problem == null, source, field + " '" + printable(url) + "' " + problem
        + "; a shard location must be a plain URL under the snapshot's prefix");
  }

  /** Why {@code url} is not a plain location, or null when it is one. */
  static String locationProblem(String url) {
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "contains control character \\x" + String.format("%02x", (int) c);
      }
      if (c == '\\') {
        return "contains a backslash";
      }
    }
    int scheme = url.indexOf("://");
    if (scheme <= 0) {
      return "has no scheme (expected e.g. s3://bucket/prefix/...)";
    }
    String rest = url.substring(scheme + 3);
    if (rest.startsWith("/")) {
      rest = rest.substring(1); // file:///abs/path: the authority is empty
    }
    String[] segments = rest.split("/", -1);
    for (String seg : segments) {
      if (seg.isEmpty()) {
        return "has an empty path segment ('//' or a trailing '/')";
      }
      String decoded = percentDecodedDots(seg);
      if (decoded.equals(".") || decoded.equals("..")) {
        return "has a '" + seg + "' path segment";
      }
    }
    return null;
  }

  /** A shard file's name: one plain path segment. */
  static void checkFileName(String name, String source, String at) {
    require(name != null && !name.isBlank(), source, at + " has a file without a name");
    require(name.length() <= ManifestLimits.MAX_FILE_NAME_LENGTH, source, at + " has a file "
        + "name of " + name.length() + " characters, more than "
        + ManifestLimits.MAX_FILE_NAME_LENGTH);
    boolean plain = !name.contains("/") && !name.contains("\\") && !name.equals(".")
        && !name.equals("..") && !percentDecodedDots(name).equals("..")
        && name.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    require(plain, source, at + " has a file with an invalid name '" + printable(name)
        + "': a shard file name is one plain path segment (no '/', '\\', '..', control "
        + "characters)");
  }

  /** {@code %2e}/{@code %2E} as dots, so that {@code %2e%2e} counts as {@code ..}. */
  private static String percentDecodedDots(String s) {
    return s.indexOf('%') < 0 ? s : s.replace("%2e", ".").replace("%2E", ".");
  }

  /** The text with control characters escaped, for messages. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 200; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return s.length() > 200 ? sb + "..." : sb.toString();
  }

  private static void require(boolean ok, String source, String problem) {
    if (!ok) {
      throw new ManifestParseException("malformed manifest data at " + source + ": " + problem);
    }
  }
}
