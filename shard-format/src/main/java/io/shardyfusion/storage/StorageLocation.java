package io.shardyfusion.storage;

import io.shardyfusion.errors.ConfigValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Pattern;

/**
 * A parsed snapshot prefix: {@code s3://bucket/some/path} or {@code file:///absolute/dir}.
 * Trailing slashes are dropped, so {@code s3://b/p/} and {@code s3://b/p} are the same prefix.
 */
public record StorageLocation(String scheme, String bucket, String path) {

  // S3 bucket naming rules, relaxed to what S3-compatible stores (GCS, MinIO) also accept.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");

  public static StorageLocation parse(String prefix) {
    if (prefix == null || prefix.isBlank()) {
      throw invalid(prefix, "it is empty");
    }
    String p = prefix.trim();
    if (p.startsWith("s3://")) {
      String rest = p.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String path = slash < 0 ? "" : stripSlashes(rest.substring(slash + 1));
      if (!BUCKET.matcher(bucket).matches()) {
        throw invalid(prefix, "'" + bucket + "' is not a valid bucket name (3-63 characters: "
            + "lowercase letters, digits, '.', '-', '_')");
      }
      if (path.contains("//")) {
        throw invalid(prefix, "the path has an empty segment ('//')");
      }
      return new StorageLocation("s3", bucket, path);
    }
    if (p.startsWith("file:")) {
      try {
        URI uri = new URI(p);
        if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
          throw invalid(prefix, "file URLs need an absolute path, e.g. file:///tmp/snapshots");
        }
        Path local = Paths.get(uri).normalize();
        return new StorageLocation("file", null, stripTrailing(local.toString()));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw invalid(prefix, e.getMessage());
      }
    }
    throw invalid(prefix, "the scheme is not supported");
  }

  public boolean isS3() {
    return "s3".equals(scheme);
  }

  /** The canonical URL form, without a trailing slash. */
  public String url() {
    if (isS3()) {
      return path.isEmpty() ? "s3://" + bucket : "s3://" + bucket + "/" + path;
    }
    return "file://" + path;
  }

  /** The local directory of a {@code file://} location. */
  public Path localPath() {
    if (isS3()) {
      throw new ConfigValidationException(url() + " is not a local directory (file://...)");
    }
    return Paths.get(path);
  }

  private static String stripSlashes(String s) {
    int start = 0;
    while (start < s.length() && s.charAt(start) == '/') {
      start++;
    }
    return stripTrailing(s.substring(start));
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 1 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }

  private static ConfigValidationException invalid(String prefix, String why) {
    return new ConfigValidationException("s3Prefix '" + prefix + "' is malformed: " + why
        + "; use s3://bucket/path or file:///absolute/dir");
  }
}
