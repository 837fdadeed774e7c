package io.shardyfusion.cli;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.S3Settings;
import java.util.List;

/**
 * {@code --s3-option key=value} settings ({@link S3Settings}, the one spelling shared with the
 * example), on top of a credentials profile's endpoint and region.
 */
public final class S3Options {
  private S3Options() {}

  /** The option names {@code --s3-option} accepts. */
  public static List<String> keys() {
    List<String> keys = new java.util.ArrayList<>(S3Settings.keys());
    keys.add("signature_version");
    keys.add("verify_ssl");
    return keys;
  }

  /**
   * Builds connection options: the profile's endpoint and region first (may be null), then each
   * {@code key=value} in order, so the command line wins.
   *
   * @throws UsageException for an unknown key, a missing '=' or a bad value
   */
  public static S3ConnectionOptions parse(List<String> options, CredentialsFile.Profile profile) {
    S3ConnectionOptions.Builder b = S3ConnectionOptions.builder();
    if (profile != null) {
      String where = "credentials file " + profile.file() + ", profile [" + profile.name() + "]";
      try {
        if (profile.endpointUrl() != null) {
          b.endpointUrl(profile.endpointUrl());
        }
        if (profile.region() != null) {
          b.region(profile.region());
        }
      } catch (ConfigValidationException e) {
        throw new UsageException(where + ": endpoint_url: " + e.getMessage(), e);
      }
      for (String setting : profile.s3Settings()) {
        String key = setting.substring(0, setting.indexOf('='));
        try {
          apply(b, setting);
        } catch (ConfigValidationException e) {
          throw new UsageException(where + ": " + key + ": " + e.getMessage(), e);
        }
      }
    }
    for (String option : options) {
      try {
        apply(b, option);
      } catch (S3Settings.BadSettingException e) {
        throw new UsageException(e.getMessage(), e);
      } catch (ConfigValidationException e) {
        throw new UsageException("--s3-option: " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /**
   * One {@code key=value}: S3Settings' keys, plus the Python CLI's signature_version and
   * verify_ssl, which only take the one value the JVM client has (s3v4; true).
   */
  private static void apply(S3ConnectionOptions.Builder b, String setting) {
    int eq = setting.indexOf('=');
    String key = eq < 0 ? setting : setting.substring(0, eq).trim();
    String value = eq < 0 ? "" : setting.substring(eq + 1).trim();
    switch (key) {
      case "signature_version" -> {
        if (!value.equalsIgnoreCase("s3v4") && !value.equalsIgnoreCase("v4")) {
          throw new ConfigValidationException("signature_version '" + value + "' is not "
              + "supported: the JVM client (AWS SDK v2) signs every request with SigV4; use "
              + "s3v4 or leave the key out");
        }
      }
      case "verify_ssl" -> {
        if (!value.equalsIgnoreCase("true") && !value.equals("1")
            && !value.equalsIgnoreCase("yes")) {
          throw new ConfigValidationException("verify_ssl '" + value + "' is not supported: "
              + "the JVM client always verifies TLS certificates against the JVM's trust store "
              + "(add a private CA there with keytool, or -Djavax.net.ssl.trustStore=... in "
              + "SHARDY_JAVA_OPTS); use true or leave the key out");
        }
      }
      case "connect_timeout", "read_timeout" -> {
        if (value.equals("0")) {
          throw new ConfigValidationException(key + " = 0 (no timeout) is not supported; give "
              + "a positive number of seconds");
        }
        S3Settings.apply(b, List.of(setting));
      }
      default -> S3Settings.apply(b, List.of(setting));
    }
  }
}
