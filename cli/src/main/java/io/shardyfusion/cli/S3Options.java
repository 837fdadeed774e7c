package io.shardyfusion.cli;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.storage.S3ConnectionOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code --s3-option key=value} settings, named as in the Python CLI, mapped onto
 * {@link S3ConnectionOptions}. Timeouts are seconds (decimals allowed).
 */
public final class S3Options {
  private static final Map<String, BiConsumer<S3ConnectionOptions.Builder, String>> SETTERS =
      new LinkedHashMap<>();

  static {
    SETTERS.put("endpoint_url", S3ConnectionOptions.Builder::endpointUrl);
    SETTERS.put("addressing_style", S3ConnectionOptions.Builder::addressingStyle);
    SETTERS.put("region", S3ConnectionOptions.Builder::region);
    SETTERS.put("connect_timeout", (b, v) -> b.connectTimeout(seconds("connect_timeout", v)));
    SETTERS.put("read_timeout", (b, v) -> b.socketTimeout(seconds("read_timeout", v)));
    SETTERS.put("api_call_timeout", (b, v) -> b.apiCallTimeout(seconds("api_call_timeout", v)));
    SETTERS.put("max_attempts", (b, v) -> b.maxAttempts(integer("max_attempts", v)));
    SETTERS.put("max_connections", (b, v) -> b.maxConnections(integer("max_connections", v)));
  }

  private S3Options() {}

  /** The option names {@code --s3-option} accepts. */
  public static List<String> keys() {
    return List.copyOf(SETTERS.keySet());
  }

  /**
   * Builds connection options: the profile's endpoint and region first (may be null), then each
   * {@code key=value} in order, so the command line wins.
   *
   * @throws UsageException for an unknown key, a missing '=' or a bad value
   */
  public static S3ConnectionOptions parse(List<String> options, CredentialsFile.Profile profile) {
    S3ConnectionOptions.Builder b = S3ConnectionOptions.builder();
    try {
      if (profile != null && profile.endpointUrl() != null) {
        b.endpointUrl(profile.endpointUrl());
      }
      if (profile != null && profile.region() != null) {
        b.region(profile.region());
      }
      for (String option : options) {
        int eq = option.indexOf('=');
        if (eq <= 0) {
          throw new UsageException("--s3-option '" + option + "' is not key=value; valid keys: "
              + String.join(", ", SETTERS.keySet()));
        }
        String key = option.substring(0, eq).trim();
        BiConsumer<S3ConnectionOptions.Builder, String> setter = SETTERS.get(key);
        if (setter == null) {
          throw new UsageException("unknown --s3-option '" + key + "'; valid keys: "
              + String.join(", ", SETTERS.keySet()));
        }
        setter.accept(b, option.substring(eq + 1).trim());
      }
      return b.build();
    } catch (ConfigValidationException e) {
      throw new UsageException("--s3-option: " + e.getMessage(), e);
    }
  }

  private static Duration seconds(String key, String v) {
    try {
      double s = Double.parseDouble(v);
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(Math.round(s * 1000));
    } catch (NumberFormatException e) {
      throw new UsageException("--s3-option " + key + "=" + v + ": expected a positive number "
          + "of seconds, e.g. " + key + "=5");
    }
  }

  private static int integer(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--s3-option " + key + "=" + v + ": expected an integer");
    }
  }
}
