package io.shardyfusion.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The Python CLI's {@code credentials.toml}, one section per profile:
 *
 * <pre>
 * [default]
 * endpoint_url = "http://127.0.0.1:9000"   # optional
 * region = "us-east-1"             # optional
 * access_key_id = "AKIA..."        # with secret_access_key; both absent = AWS default chain
 * secret_access_key = "..."
 * session_token = "..."            # optional (STS)
 * addressing_style = "path"        # path | virtual (| auto)
 * signature_version = "s3v4"       # only s3v4: the AWS SDK v2 signs with SigV4
 * verify_ssl = true                # only true: no switch to skip TLS verification or CA bundle
 * connect_timeout = 10             # seconds
 * read_timeout = 30                # seconds (the socket timeout)
 * max_attempts = 3                 # attempts per request, the first included
 * </pre>
 *
 * Every key is either applied or refused with a message naming it; none is ignored. Found at
 * {@code --credentials} ({@code --credentials-file}), else {@code $SHARDY_CREDENTIALS}, else
 * {@code $SHARDY_CREDENTIALS_FILE}, else {@code ./credentials.toml}, else
 * {@code ~/.config/shardy/credentials.toml}; without a file the AWS default credential chain is
 * used.
 */
public final class CredentialsFile {
  /** The environment variable naming the file (our older name; the Python CLI's: PY_ENV). */
  public static final String ENV = "SHARDY_CREDENTIALS_FILE";
  /** The Python CLI's environment variable naming the file. */
  public static final String PY_ENV = "SHARDY_CREDENTIALS";

  /** Profile keys that are S3 connection settings, applied as --s3-option would be. */
  static final List<String> S3_KEYS = List.of("addressing_style", "signature_version",
      "verify_ssl", "connect_timeout", "read_timeout", "max_attempts");
  private static final List<String> KEYS = List.of("endpoint_url", "region", "access_key_id",
      "secret_access_key", "session_token", "addressing_style", "signature_version",
      "verify_ssl", "connect_timeout", "read_timeout", "max_attempts");

  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /**
   * One profile's settings; the endpoint and region are null when the profile has none, the keys
   * null for the AWS default chain.
   *
   * @param s3Settings the profile's S3 connection settings as {@code key=value}, in file order
   * @param file where it came from (for messages)
   */
  public record Profile(String name, String accessKeyId, String secretAccessKey,
      String sessionToken, String endpointUrl, String region, List<String> s3Settings,
      Path file) {
    public Profile {
      s3Settings = s3Settings == null ? List.of() : List.copyOf(s3Settings);
    }

    public Profile(String name, String accessKeyId, String secretAccessKey,
        String sessionToken, String endpointUrl, String region) {
      this(name, accessKeyId, secretAccessKey, sessionToken, endpointUrl, region, List.of(),
          null);
    }

    /** Whether the profile names keys (else the AWS default chain supplies them). */
    public boolean hasKeys() {
      return accessKeyId != null;
    }

    @Override
    public String toString() {
      return "Profile{" + name + ", accessKeyId=" + accessKeyId + ", secretAccessKey=****}";
    }
  }

  private CredentialsFile() {}

  /**
   * The file to use, or null for the default AWS chain.
   *
   * @throws UsageException when a file named explicitly (flag or environment) does not exist
   */
  public static Path locate(Path explicit, CliContext ctx) {
    return TomlFiles.locate(explicit, "--credentials", List.of(PY_ENV, ENV), "credentials.toml",
        ctx);
  }

  /**
   * Reads one profile; warns on {@code err} when the file is readable by group or others.
   *
   * @throws UsageException for malformed TOML, a missing profile or missing keys
   */
  public static Profile load(Path file, String profile, PrintStream err) {
    warnIfOpen(file, err);
    JsonNode root = TomlFiles.read(file, "credentials file");
    JsonNode section = root == null ? null : root.get(profile);
    if (section == null || !section.isObject()) {
      List<String> names = new ArrayList<>();
      if (root != null) {
        root.fieldNames().forEachRemaining(names::add);
      }
      throw new UsageException("no profile [" + profile + "] in credentials file " + file
          + " (profiles: " + (names.isEmpty() ? "none" : String.join(", ", names))
          + "); pass --profile NAME");
    }
    String where = "credentials file " + file + ", profile [" + profile + "]";
    List<String> s3 = new ArrayList<>();
    for (java.util.Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      JsonNode v = section.get(k);
      if (!KEYS.contains(k)) {
        throw new UsageException(where + ": unknown key '" + k + "'; known: "
            + String.join(", ", KEYS));
      }
      if (!v.isValueNode()) {
        throw new UsageException(where + ": " + k + " must be a single value, got " + v);
      }
      if (S3_KEYS.contains(k) && !(v.isTextual() && v.asText().isEmpty())) {
        s3.add(k + "=" + v.asText());
      }
    }
    String key = text(section, "access_key_id");
    String secret = text(section, "secret_access_key");
    String token = text(section, "session_token");
    if ((key == null) != (secret == null) || (token != null && key == null)) {
      throw new UsageException(where + ": access_key_id and secret_access_key go together "
          + "(session_token needs both); leave all out for the AWS default chain");
    }
    return new Profile(profile, key, secret, token, text(section, "endpoint_url"),
        text(section, "region"), s3, file);
  }

  private static String text(JsonNode section, String field) {
    JsonNode v = section.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }

  private static void warnIfOpen(Path file, PrintStream err) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
        err.println("shardy: warning: credentials file " + file + " has mode " + mode(perms)
            + ", readable by others; run: chmod 600 " + file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: nothing to check
    }
  }

  private static String mode(Set<PosixFilePermission> perms) {
    int m = 0;
    for (PosixFilePermission p : perms) {
      m |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", m);
  }
}
