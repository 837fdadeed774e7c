package io.shardyfusion.manifest.postgres;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Where a {@link PostgresManifestStore} keeps its manifests: server, credentials, dataset and
 * table names. Immutable and serializable (it travels inside a Beam pipeline); validated when
 * built.
 *
 * <pre>{@code
 * PostgresConfig cfg = PostgresConfig.builder()
 *     .jdbcUrl("jdbc:postgresql://db.internal:5432/snapshots")
 *     .user("shardy")
 *     .passwordFromEnv("SHARDY_PG_PASSWORD")   // read where the store opens; never serialized
 *     .dataset("users")
 *     .build();
 * }</pre>
 *
 * <p>A password given with {@link Builder#password(String)} is serialized with the config (in
 * clear, e.g. into a Beam pipeline's options); prefer {@link Builder#passwordFromEnv(String)}.
 * {@link #toString()} never shows the password.
 */
public final class PostgresConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String DEFAULT_DATASET = "default";
  public static final String DEFAULT_TABLE_PREFIX = "shardyfusion_";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(10);

  static final String URL_PREFIX = "jdbc:postgresql://";
  // Datasets appear in refs (postgres:<dataset>/<name>), so no '/' or ':' and nothing to quote.
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  // Table names are built from the prefix unquoted; 40 leaves room for suffixes in 63 bytes.
  private static final Pattern TABLE_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String passwordEnv;
  private final String dataset;
  private final String tablePrefix;
  private final Duration connectTimeout;

  private PostgresConfig(Builder b) {
    this.jdbcUrl = validateUrl(b.jdbcUrl);
    this.user = require("user", b.user, "a PostgreSQL role name, e.g. \"shardy\"");
    if (b.password != null && b.passwordEnv != null) {
      throw new ConfigValidationException("password and passwordFromEnv are both set: give the "
          + "password one way only");
    }
    if (b.passwordEnv != null && !ENV_NAME.matcher(b.passwordEnv).matches()) {
      throw new ConfigValidationException("passwordFromEnv '" + b.passwordEnv + "' is not an "
          + "environment variable name: use letters, digits and _, not starting with a digit");
    }
    this.password = b.password;
    this.passwordEnv = b.passwordEnv;
    if (b.dataset == null || !DATASET.matcher(b.dataset).matches()) {
      throw new ConfigValidationException("dataset '" + b.dataset + "' is invalid: use 1-64 "
          + "letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    this.dataset = b.dataset;
    if (b.tablePrefix == null || !TABLE_PREFIX.matcher(b.tablePrefix).matches()) {
      throw new ConfigValidationException("tablePrefix '" + b.tablePrefix + "' is invalid: use "
          + "1-40 lower-case letters, digits and '_', not starting with a digit (default '"
          + DEFAULT_TABLE_PREFIX + "')");
    }
    this.tablePrefix = b.tablePrefix;
    if (b.connectTimeout == null || b.connectTimeout.compareTo(Duration.ofSeconds(1)) < 0
        || b.connectTimeout.compareTo(MAX_CONNECT_TIMEOUT) > 0) {
      throw new ConfigValidationException("connectTimeout " + b.connectTimeout + " is out of "
          + "range: use 1 s to " + MAX_CONNECT_TIMEOUT.toMinutes() + " min (whole seconds)");
    }
    this.connectTimeout = b.connectTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.jdbcUrl = jdbcUrl;
    b.user = user;
    b.password = password;
    b.passwordEnv = passwordEnv;
    b.dataset = dataset;
    b.tablePrefix = tablePrefix;
    b.connectTimeout = connectTimeout;
    return b;
  }

  /** The JDBC URL; it never holds a password (the builder refuses one). */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  public String dataset() {
    return dataset;
  }

  public String tablePrefix() {
    return tablePrefix;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The environment variable the password is read from, if configured that way. */
  public Optional<String> passwordEnv() {
    return Optional.ofNullable(passwordEnv);
  }

  /**
   * The password to connect with: the configured one, the environment variable's value, or
   * empty (trust or peer authentication, or a {@code ~/.pgpass} file).
   *
   * @throws ConfigValidationException if the configured environment variable is not set
   */
  Optional<String> resolvePassword() {
    return resolvePassword(System::getenv);
  }

  Optional<String> resolvePassword(UnaryOperator<String> env) {
    if (passwordEnv == null) {
      return Optional.ofNullable(password);
    }
    String value = env.apply(passwordEnv);
    if (value == null) {
      throw new ConfigValidationException("environment variable " + passwordEnv + " (the "
          + "PostgreSQL password for user " + user + " at " + jdbcUrl + ") is not set: export it "
          + "where the manifest store is opened");
    }
    return Optional.of(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PostgresConfig c && jdbcUrl.equals(c.jdbcUrl) && user.equals(c.user)
        && Objects.equals(password, c.password) && Objects.equals(passwordEnv, c.passwordEnv)
        && dataset.equals(c.dataset) && tablePrefix.equals(c.tablePrefix)
        && connectTimeout.equals(c.connectTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jdbcUrl, user, passwordEnv, dataset, tablePrefix, connectTimeout);
  }

  @Override
  public String toString() {
    String pw = passwordEnv != null ? "$" + passwordEnv : password != null ? "***" : "<none>";
    return "PostgresConfig{" + jdbcUrl + ", user=" + user + ", password=" + pw + ", dataset="
        + dataset + ", tablePrefix=" + tablePrefix + ", connectTimeout=" + connectTimeout + "}";
  }

  private static String validateUrl(String url) {
    if (url == null || !url.startsWith(URL_PREFIX) || url.length() == URL_PREFIX.length()) {
      throw new ConfigValidationException("jdbcUrl '" + url + "' is invalid: expected "
          + URL_PREFIX + "<host>[:<port>]/<database>, e.g. "
          + "jdbc:postgresql://127.0.0.1:5432/snapshots");
    }
    // The URL is shown in messages and location(); a password in it would leak there.
    if (url.toLowerCase(Locale.ROOT).contains("password=")) {
      throw new ConfigValidationException("jdbcUrl contains a password parameter: remove it "
          + "and use password(...) or passwordFromEnv(...) instead, so it never appears in "
          + "messages");
    }
    return url;
  }

  private static String require(String name, String value, String form) {
    if (value == null || value.isBlank()) {
      throw new ConfigValidationException(name + " is missing or empty: expected " + form);
    }
    return value;
  }

  /** Builds a {@link PostgresConfig}; only {@code jdbcUrl} and {@code user} are required. */
  public static final class Builder {
    private String jdbcUrl;
    private String user;
    private String password;
    private String passwordEnv;
    private String dataset = DEFAULT_DATASET;
    private String tablePrefix = DEFAULT_TABLE_PREFIX;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

    private Builder() {}

    /** {@code jdbc:postgresql://<host>[:<port>]/<database>[?<driver options>]}, no password. */
    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** The password itself; it is serialized with the config. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** Reads the password from this environment variable when the store connects. */
    public Builder passwordFromEnv(String variableName) {
      this.passwordEnv = variableName;
      return this;
    }

    /**
     * Which snapshot dataset this store serves (default
     * {@value PostgresConfig#DEFAULT_DATASET}); one database holds many.
     */
    public Builder dataset(String dataset) {
      this.dataset = dataset;
      return this;
    }

    /** Prefix of the two table names (default {@value PostgresConfig#DEFAULT_TABLE_PREFIX}). */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
      return this;
    }

    /** How long to wait for a connection (and login); 1 s to 10 min, default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** @throws ConfigValidationException naming the bad parameter, its value and valid form */
    public PostgresConfig build() {
      return new PostgresConfig(this);
    }
  }
}
