package io.shardyfusion.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
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
 * S3 credentials from a TOML file with one section per profile:
 *
 * <pre>
 * [default]
 * access_key_id = "AKIA..."
 * secret_access_key = "..."
 * session_token = "..."            # optional
 * endpoint_url = "http://127.0.0.1:9000"   # optional
 * region = "us-east-1"             # optional
 * </pre>
 *
 * Found at {@code --credentials-file}, else {@code $SHARDY_CREDENTIALS_FILE}, else
 * {@code ~/.config/shardy/credentials.toml} when it exists; without a file the AWS default
 * credential chain is used.
 */
public final class CredentialsFile {
  /** The environment variable naming the file. */
  public static final String ENV = "SHARDY_CREDENTIALS_FILE";

  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** One profile's settings; the endpoint and region are null when the profile has none. */
  public record Profile(String name, String accessKeyId, String secretAccessKey,
      String sessionToken, String endpointUrl, String region) {
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
    if (explicit != null) {
      return mustExist(explicit, "--credentials-file");
    }
    String fromEnv = ctx.env(ENV);
    if (fromEnv != null) {
      return mustExist(Path.of(fromEnv), "$" + ENV);
    }
    Path dflt = ctx.home().resolve(".config/shardy/credentials.toml");
    return Files.isRegularFile(dflt) ? dflt : null;
  }

  private static Path mustExist(Path p, String from) {
    if (!Files.isRegularFile(p)) {
      throw new UsageException(from + " " + p + " does not exist or is not a file");
    }
    return p;
  }

  /**
   * Reads one profile; warns on {@code err} when the file is readable by group or others.
   *
   * @throws UsageException for malformed TOML, a missing profile or missing keys
   */
  public static Profile load(Path file, String profile, PrintStream err) {
    warnIfOpen(file, err);
    JsonNode root;
    try {
      root = new TomlMapper().readTree(file.toFile());
    } catch (JacksonException e) {
      var at = e.getLocation();
      throw new UsageException("credentials file " + file + " is not valid TOML"
          + (at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ")") + ": "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UsageException("cannot read credentials file " + file + ": " + e.getMessage());
    }
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
    String key = text(section, "access_key_id");
    String secret = text(section, "secret_access_key");
    if (key == null || secret == null) {
      throw new UsageException("profile [" + profile + "] in " + file + " needs access_key_id "
          + "and secret_access_key");
    }
    return new Profile(profile, key, secret, text(section, "session_token"),
        text(section, "endpoint_url"), text(section, "region"));
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
