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
  /** The Python system's default {@code table_name} (its tables {@code <name>_builds}, ...). */
  public static final String DEFAULT_PYTHON_TABLE_NAME = "shardyfusion_manifests";
  /** The Python system's default {@code pointer_table_name}. */
  public static final String DEFAULT_PYTHON_POINTER_TABLE = "shardyfusion_pointer";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(10);

  static final String URL_PREFIX = "jdbc:postgresql://";
  // Datasets appear in refs (postgres:<dataset>/<name>), so no '/' or ':' and nothing to quote.
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  // Table names are built from the prefix unquoted; 40 leaves room for suffixes in 63 bytes.
  private static final Pattern TABLE_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}");
  // Python's names go unquoted into its DDL; 56 leaves room for "_builds" in 63 bytes, 48 for
  // its pointer index name "idx_<pointer>_updated_at".
  private static final Pattern PY_TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,55}");
  private static final Pattern PY_POINTER_TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,47}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String passwordEnv;
  private final String dataset;
  private final String tablePrefix;
  private final Duration connectTimeout;
  private final PostgresLayout layout;
  private final String pythonTableName;
  private final String pythonPointerTable;

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
    if (b.layout == null) {
      throw new ConfigValidationException("layout is missing: use " + PostgresLayout.JVM
          + " (this project's tables, the default) or " + PostgresLayout.PYTHON);
    }
    this.layout = b.layout;
    if (b.pythonTableName == null || !PY_TABLE_NAME.matcher(b.pythonTableName).matches()) {
      throw new ConfigValidationException("tableName '" + b.pythonTableName + "' is invalid: "
          + "use 1-56 lower-case letters, digits and '_', not starting with a digit (the Python "
          + "system's table_name, default '" + DEFAULT_PYTHON_TABLE_NAME + "')");
    }
    this.pythonTableName = b.pythonTableName;
    if (b.pythonPointerTable == null
        || !PY_POINTER_TABLE.matcher(b.pythonPointerTable).matches()) {
      throw new ConfigValidationException("pointerTable '" + b.pythonPointerTable + "' is "
          + "invalid: use 1-48 lower-case letters, digits and '_', not starting with a digit "
          + "(the Python system's pointer_table_name, default '" + DEFAULT_PYTHON_POINTER_TABLE
          + "')");
    }
    this.pythonPointerTable = b.pythonPointerTable;
    if (layout == PostgresLayout.PYTHON && !dataset.equals(DEFAULT_DATASET)) {
      throw new ConfigValidationException("dataset '" + dataset + "' is set, but the Python "
          + "layout has no datasets: its tables hold one snapshot history each. Give each "
          + "dataset its own tableName (and pointerTable) instead");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder from a manifest-store URL, {@code jdbc:postgresql://host[:port]/db[?params]}:
   * this project's parameters {@code layout} ({@code jvm|python}), {@code table_name},
   * {@code pointer_table} (Python layout), {@code dataset} and {@code table_prefix} (jvm layout)
   * are taken out and applied; the others stay in the JDBC URL for the driver. The user and
   * password are set on the builder, never in the URL.
   *
   * <pre>{@code
   * PostgresConfig cfg = PostgresConfig.fromUrl(
   *     "jdbc:postgresql://db:5432/snapshots?layout=python&sslmode=require").user("shardy").build();
   * }</pre>
   *
   * @throws ConfigValidationException for an unknown layout or a bad name
   */
  public static Builder fromUrl(String url) {
    Builder b = builder();
    if (url == null) {
      return b.jdbcUrl(null);
    }
    int q = url.indexOf('?');
    java.util.List<String> driver = new java.util.ArrayList<>();
    if (q >= 0) {
      for (String pair : url.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
        String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
            java.nio.charset.StandardCharsets.UTF_8);
        if (!applyUrlParameter(b, name, value)) {
          driver.add(pair);
        }
      }
    }
    String base = q < 0 ? url : url.substring(0, q);
    return b.jdbcUrl(driver.isEmpty() ? base : base + "?" + String.join("&", driver));
  }

  /**
   * Applies one of this project's URL parameters ({@code layout}, {@code table_name},
   * {@code pointer_table}, {@code dataset}, {@code table_prefix}) to {@code b}.
   *
   * @return false when {@code name} is not one of them (a driver option)
   */
  public static boolean applyUrlParameter(Builder b, String name, String value) {
    switch (name) {
      case "layout" -> b.layout(PostgresLayout.fromWireName(value));
      case "table_name" -> b.tableName(value);
      case "pointer_table" -> b.pointerTable(value);
      case "dataset" -> b.dataset(value);
      case "table_prefix" -> b.tablePrefix(value);
      default -> {
        return false;
      }
    }
    return true;
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
    b.layout = layout;
    b.pythonTableName = pythonTableName;
    b.pythonPointerTable = pythonPointerTable;
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

  /** Which tables the store uses: this project's ({@code jvm}) or the Python system's. */
  public PostgresLayout layout() {
    return layout;
  }

  /**
   * The Python layout's {@code table_name}: its tables are {@code <tableName>_builds} and
   * {@code <tableName>_shards}. Unused by the {@code jvm} layout.
   */
  public String tableName() {
    return pythonTableName;
  }

  /** The Python layout's append-only pointer table. Unused by the {@code jvm} layout. */
  public String pointerTable() {
    return pythonPointerTable;
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
        && connectTimeout.equals(c.connectTimeout) && layout == c.layout
        && pythonTableName.equals(c.pythonTableName)
        && pythonPointerTable.equals(c.pythonPointerTable);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jdbcUrl, user, passwordEnv, dataset, tablePrefix, connectTimeout, layout,
        pythonTableName, pythonPointerTable);
  }

  @Override
  public String toString() {
    String pw = passwordEnv != null ? "$" + passwordEnv : password != null ? "***" : "<none>";
    return "PostgresConfig{" + jdbcUrl + ", user=" + user + ", password=" + pw + ", "
        + (layout == PostgresLayout.PYTHON ? "layout=python, tableName=" + pythonTableName
            + ", pointerTable=" + pythonPointerTable
            : "dataset=" + dataset + ", tablePrefix=" + tablePrefix)
        + ", connectTimeout=" + connectTimeout + "}";
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
    private PostgresLayout layout = PostgresLayout.JVM;
    private String pythonTableName = DEFAULT_PYTHON_TABLE_NAME;
    private String pythonPointerTable = DEFAULT_PYTHON_POINTER_TABLE;

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

    /**
     * Which tables to use (default {@link PostgresLayout#JVM}); {@link PostgresLayout#PYTHON}
     * shares the database with the Python system's {@code PostgresManifestStore}.
     */
    public Builder layout(PostgresLayout layout) {
      this.layout = layout;
      return this;
    }

    /**
     * The Python layout's {@code table_name} (default
     * {@value PostgresConfig#DEFAULT_PYTHON_TABLE_NAME}): tables {@code <name>_builds} and
     * {@code <name>_shards}.
     */
    public Builder tableName(String tableName) {
      this.pythonTableName = tableName;
      return this;
    }

    /**
     * The Python layout's {@code pointer_table_name} (default
     * {@value PostgresConfig#DEFAULT_PYTHON_POINTER_TABLE}).
     */
    public Builder pointerTable(String pointerTable) {
      this.pythonPointerTable = pointerTable;
      return this;
    }

    /** @throws ConfigValidationException naming the bad parameter, its value and valid form */
    public PostgresConfig build() {
      return new PostgresConfig(this);
    }
  }
}
