package io.shardyfusion.storage;

import io.shardyfusion.errors.ConfigValidationException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The one user-facing spelling of S3 connection settings, {@code key=value} as in
 * {@code --s3-option endpoint_url=http://127.0.0.1:9000} (named as in the Python CLI), mapped
 * onto {@link S3ConnectionOptions}: endpoint_url, addressing_style (path|virtual|auto), region,
 * connect_timeout, read_timeout, api_call_timeout (seconds, decimals allowed), max_attempts,
 * max_connections. Used by every command line: the CLI's read commands and {@code shardy build}
 * (cli module) and the example.
 */
public final class S3Settings {
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
    SETTERS.put("retry_base_delay",
        (b, v) -> b.retryBaseDelay(seconds("retry_base_delay", v)));
    SETTERS.put("throttled_retry_base_delay",
        (b, v) -> b.throttledRetryBaseDelay(seconds("throttled_retry_base_delay", v)));
  }

  private S3Settings() {}

  /** A setting that is not {@code key=value}, has an unknown key or a malformed value. */
  public static final class BadSettingException extends ConfigValidationException {
    private static final long serialVersionUID = 1L;

    BadSettingException(String message) {
      super(message);
    }
  }

  /** The keys accepted. */
  public static List<String> keys() {
    return List.copyOf(SETTERS.keySet());
  }

  /**
   * Applies {@code key=value} settings in order (a later one wins) to {@code b}.
   *
   * @throws BadSettingException for an unknown key, a missing '=' or a malformed value
   * @throws ConfigValidationException for a value the options reject (e.g. an addressing style)
   */
  public static S3ConnectionOptions.Builder apply(S3ConnectionOptions.Builder b,
      List<String> settings) {
    for (String option : settings) {
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw new BadSettingException("--s3-option '" + option + "' is not key=value; "
            + "valid keys: " + String.join(", ", SETTERS.keySet()));
      }
      String key = option.substring(0, eq).trim();
      BiConsumer<S3ConnectionOptions.Builder, String> setter = SETTERS.get(key);
      if (setter == null) {
        throw new BadSettingException("unknown --s3-option '" + key + "'; valid keys: "
            + String.join(", ", SETTERS.keySet()));
      }
      setter.accept(b, option.substring(eq + 1).trim());
    }
    return b;
  }

  private static Duration seconds(String key, String v) {
    try {
      double s = Double.parseDouble(v);
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(Math.round(s * 1000));
    } catch (NumberFormatException e) {
      throw new BadSettingException("--s3-option " + key + "=" + v + ": expected a "
          + "positive number of seconds, e.g. " + key + "=5");
    }
  }

  private static int integer(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new BadSettingException("--s3-option " + key + "=" + v + ": expected an "
          + "integer");
    }
  }
}
