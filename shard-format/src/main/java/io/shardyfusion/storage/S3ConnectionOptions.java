package io.shardyfusion.storage;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How to reach an S3-compatible endpoint: AWS S3, GCS's interoperability API, MinIO, S3Proxy.
 *
 * <pre>{@code
 * S3ConnectionOptions.builder()
 *     .endpointUrl("https://storage.googleapis.com")
 *     .addressingStyle("path")
 *     .region("auto")
 *     .build();
 * }</pre>
 *
 * <p>Retries use the AWS SDK's standard strategy: exponential backoff with jitter, only on
 * throttling, 5xx answers, timeouts and connection errors.
 */
public final class S3ConnectionOptions implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final long MIB = 1024L * 1024;

  private final String endpointUrl;
  private final String addressingStyle;
  private final String region;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final Duration apiCallTimeout;
  private final int maxAttempts;
  private final int maxConnections;
  private final long multipartThresholdBytes;
  private final long multipartPartSizeBytes;
  private final Duration retryBaseDelay;
  private final Duration throttledRetryBaseDelay;

  private S3ConnectionOptions(Builder b) {
    this.endpointUrl = b.endpointUrl;
    this.addressingStyle = b.addressingStyle;
    this.region = b.region;
    this.connectTimeout = b.connectTimeout;
    this.socketTimeout = b.socketTimeout;
    this.apiCallTimeout = b.apiCallTimeout;
    this.maxAttempts = b.maxAttempts;
    this.maxConnections = b.maxConnections;
    this.multipartThresholdBytes = b.multipartThresholdBytes;
    this.multipartPartSizeBytes = b.multipartPartSizeBytes;
    this.retryBaseDelay = b.retryBaseDelay;
    this.throttledRetryBaseDelay = b.throttledRetryBaseDelay;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: AWS endpoint from the region, virtual-host style where the SDK chooses it. */
  public static S3ConnectionOptions defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.endpointUrl = endpointUrl;
    b.addressingStyle = addressingStyle;
    b.region = region;
    b.connectTimeout = connectTimeout;
    b.socketTimeout = socketTimeout;
    b.apiCallTimeout = apiCallTimeout;
    b.maxAttempts = maxAttempts;
    b.maxConnections = maxConnections;
    b.multipartThresholdBytes = multipartThresholdBytes;
    b.multipartPartSizeBytes = multipartPartSizeBytes;
    b.retryBaseDelay = retryBaseDelay;
    b.throttledRetryBaseDelay = throttledRetryBaseDelay;
    return b;
  }

  /** Endpoint override, or null for AWS's own endpoint of {@link #region()}. */
  public String endpointUrl() {
    return endpointUrl;
  }

  /** {@code path}, {@code virtual} or {@code auto}. */
  public String addressingStyle() {
    return addressingStyle;
  }

  public boolean pathStyle() {
    return "path".equals(addressingStyle);
  }

  /** Region, or null to use the SDK's region chain (falls back to us-east-1 with an endpoint). */
  public String region() {
    return region;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration socketTimeout() {
    return socketTimeout;
  }

  public Duration apiCallTimeout() {
    return apiCallTimeout;
  }

  /** Attempts per request, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public long multipartThresholdBytes() {
    return multipartThresholdBytes;
  }

  public long multipartPartSizeBytes() {
    return multipartPartSizeBytes;
  }

  /**
   * Base delay of the exponential backoff (full jitter) between attempts after a 5xx, timeout
   * or connection error; null for the SDK's default (100 ms).
   */
  public Duration retryBaseDelay() {
    return retryBaseDelay;
  }

  /** The same after a throttling answer (503 SlowDown, 429); null for the SDK's default (1 s). */
  public Duration throttledRetryBaseDelay() {
    return throttledRetryBaseDelay;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof S3ConnectionOptions)) {
      return false;
    }
    S3ConnectionOptions x = (S3ConnectionOptions) o;
    return Objects.equals(endpointUrl, x.endpointUrl)
        && Objects.equals(addressingStyle, x.addressingStyle) && Objects.equals(region, x.region)
        && Objects.equals(connectTimeout, x.connectTimeout)
        && Objects.equals(socketTimeout, x.socketTimeout)
        && Objects.equals(apiCallTimeout, x.apiCallTimeout) && maxAttempts == x.maxAttempts
        && maxConnections == x.maxConnections
        && multipartThresholdBytes == x.multipartThresholdBytes
        && multipartPartSizeBytes == x.multipartPartSizeBytes
        && Objects.equals(retryBaseDelay, x.retryBaseDelay)
        && Objects.equals(throttledRetryBaseDelay, x.throttledRetryBaseDelay);
  }

  @Override
  public int hashCode() {
    return Objects.hash(endpointUrl, addressingStyle, region, maxAttempts);
  }

  @Override
  public String toString() {
    return "S3ConnectionOptions{endpointUrl=" + endpointUrl + ", addressingStyle="
        + addressingStyle + ", region=" + region + ", maxAttempts=" + maxAttempts + "}";
  }

  /** Builder; every setter checks its argument and names it in the error. */
  public static final class Builder {
    private String endpointUrl;
    private String addressingStyle = "auto";
    private String region;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration socketTimeout = Duration.ofSeconds(60);
    private Duration apiCallTimeout = Duration.ofMinutes(10);
    private int maxAttempts = 5;
    private int maxConnections = 64;
    private long multipartThresholdBytes = 64 * MIB;
    private long multipartPartSizeBytes = 32 * MIB;
    private Duration retryBaseDelay;
    private Duration throttledRetryBaseDelay;

    private Builder() {}

    /**
     * See {@link S3ConnectionOptions#retryBaseDelay()}; must be positive. Short delays suit
     * tests and local stores; against AWS keep the default.
     */
    public Builder retryBaseDelay(Duration d) {
      this.retryBaseDelay = positive("retryBaseDelay", d);
      return this;
    }

    /** See {@link S3ConnectionOptions#throttledRetryBaseDelay()}; must be positive. */
    public Builder throttledRetryBaseDelay(Duration d) {
      this.throttledRetryBaseDelay = positive("throttledRetryBaseDelay", d);
      return this;
    }

    public Builder endpointUrl(String url) {
      if (url != null) {
        try {
          URI u = URI.create(url);
          if (u.getScheme() == null || u.getHost() == null
              || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
            throw new IllegalArgumentException("not an http(s) URL");
          }
        } catch (IllegalArgumentException e) {
          throw new ConfigValidationException("endpointUrl '" + url + "' is not a valid http(s) "
              + "URL, e.g. http://127.0.0.1:9000 or https://storage.googleapis.com");
        }
      }
      this.endpointUrl = url;
      return this;
    }

    public Builder addressingStyle(String style) {
      String s = style == null ? "auto" : style.toLowerCase(Locale.ROOT);
      if (!s.equals("path") && !s.equals("virtual") && !s.equals("auto")) {
        throw new ConfigValidationException("addressingStyle '" + style
            + "' is not supported; use path, virtual or auto");
      }
      this.addressingStyle = s;
      return this;
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive("connectTimeout", d);
      return this;
    }

    public Builder socketTimeout(Duration d) {
      this.socketTimeout = positive("socketTimeout", d);
      return this;
    }

    public Builder apiCallTimeout(Duration d) {
      this.apiCallTimeout = positive("apiCallTimeout", d);
      return this;
    }

    public Builder maxAttempts(int n) {
      if (n < 1 || n > 20) {
        throw new ConfigValidationException("maxAttempts must be in 1..20, got " + n);
      }
      this.maxAttempts = n;
      return this;
    }

    public Builder maxConnections(int n) {
      if (n < 1 || n > 1024) {
        throw new ConfigValidationException("maxConnections must be in 1..1024, got " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /** Files at least this large are uploaded in parts (S3 allows 5 MiB .. 5 GiB parts). */
    public Builder multipartThresholdBytes(long n) {
      if (n < 5 * MIB) {
        throw new ConfigValidationException(
            "multipartThresholdBytes must be >= 5 MiB (S3's smallest part), got " + n);
      }
      this.multipartThresholdBytes = n;
      return this;
    }

    public Builder multipartPartSizeBytes(long n) {
      if (n < 5 * MIB || n > 5 * 1024 * MIB) {
        throw new ConfigValidationException(
            "multipartPartSizeBytes must be in 5 MiB..5 GiB (S3's part limits), got " + n);
      }
      this.multipartPartSizeBytes = n;
      return this;
    }

    public S3ConnectionOptions build() {
      return new S3ConnectionOptions(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new ConfigValidationException(name + " must be a positive duration, got " + d);
      }
      return d;
    }
  }
}
