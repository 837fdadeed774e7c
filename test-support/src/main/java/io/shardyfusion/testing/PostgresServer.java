package io.shardyfusion.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server, private to this JVM: a fresh cluster ({@code initdb}) in a temporary
 * directory, listening on a free {@code 127.0.0.1} port, its unix socket inside that directory,
 * {@code fsync=off}. It never touches a system cluster (e.g. the one Debian's package starts on
 * 5432). Loopback connections are trusted, except for users made by {@link #createPasswordUser},
 * who must give their password (SCRAM), so tests can check authentication failures.
 *
 * <pre>{@code
 * PostgresServer pg = PostgresServer.shared();          // started on first use (~1 s)
 * String db = pg.createDatabase("my_test");              // fresh, empty
 * String url = pg.jdbcUrl(db);                           // jdbc:postgresql://127.0.0.1:<port>/<db>
 * try (Connection c = pg.connect(db)) { ... }            // as the superuser pg.user()
 * }</pre>
 *
 * or {@link PostgresExtension} (through {@link UsesPostgres}). The programs come from
 * {@link PostgresBinaries#find()}. PostgreSQL refuses to run as root, so when the JVM is root they
 * run as the {@code postgres} OS user (made by Debian's package) through {@code runuser}. Port
 * choice, readiness polling and stopping are {@link ServerProcess}'s.
 */
public final class PostgresServer extends ServerProcess {
  /** The superuser: trusted on loopback, no password. */
  public static final String SUPERUSER = "postgres";
  /** The database made at start-up, for tests that need no database of their own. */
  public static final String DEFAULT_DATABASE = "shardy_test";

  private static final String OS_USER = "postgres";
  // Members of this role authenticate with their password (see pg_hba.conf below).
  private static final String PASSWORD_GROUP = "shardy_password_users";
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final Shared<PostgresServer> SHARED =
      new Shared<>(PostgresServer::start, "postgres-shutdown");

  private final Path bindir;
  private final Path root;
  private final boolean asOsUser;

  private PostgresServer(Path bindir, Path root, boolean asOsUser, int port) {
    super("PostgreSQL", port);
    this.bindir = bindir;
    this.root = root;
    this.asOsUser = asOsUser;
  }

  /**
   * The server of this JVM, started on first call. A shutdown hook stops it and deletes its
   * files; {@link PostgresExtension} stops it earlier, when the JUnit run ends.
   *
   * @throws IllegalStateException if the binaries are missing or the server does not come up
   */
  public static PostgresServer shared() {
    return SHARED.get();
  }

  /** Starts a new, private server; the caller must {@link #close()} it. */
  public static PostgresServer start() {
    return startOnFreePort(port -> prepare(PostgresBinaries.find(), isRoot(), port));
  }

  /** A fresh temp directory for a server on {@code port}; nothing runs yet. */
  private static PostgresServer prepare(Path bindir, boolean asOsUser, int port) {
    try {
      return new PostgresServer(bindir, Files.createTempDirectory("shardy-pg-"), asOsUser, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the PostgreSQL temp directory", e);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  /** The superuser's name ({@value #SUPERUSER}); it needs no password. */
  public String user() {
    return SUPERUSER;
  }

  /** The URL of {@value #DEFAULT_DATABASE}. */
  public String jdbcUrl() {
    return jdbcUrl(DEFAULT_DATABASE);
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  /** A new connection to {@code database} as the superuser; the caller closes it. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
  }

  /**
   * Creates an empty database named {@code prefix} plus a unique suffix and returns its name, so
   * test classes do not see each other's tables.
   *
   * @param prefix lower-case letters, digits and {@code _}
   */
  public String createDatabase(String prefix) {
    return createDatabase(prefix, SUPERUSER);
  }

  /** Like {@link #createDatabase(String)}, owned by {@code owner} (who may then create tables). */
  public String createDatabase(String prefix, String owner) {
    String name = uniqueName(prefix);
    sql(DEFAULT_DATABASE, "CREATE DATABASE " + name + " OWNER " + checkName(owner));
    return name;
  }

  /**
   * Creates a login role that must authenticate with {@code password} (SCRAM over TCP) and
   * returns its name ({@code prefix} plus a unique suffix).
   */
  public String createPasswordUser(String prefix, String password) {
    String name = uniqueName(prefix);
    sql(DEFAULT_DATABASE, "CREATE ROLE " + name + " LOGIN PASSWORD '"
        + password.replace("'", "''") + "' IN ROLE " + PASSWORD_GROUP);
    return name;
  }

  /** The server's log (start-up messages, errors). */
  @Override
  public Path logFile() {
    return root.resolve("server.log");
  }

  public Path dataDir() {
    return root.resolve("data");
  }

  /** Stops the server at once (nothing needs to survive) and deletes its files. */
  @Override
  protected void stop() {
    if (Files.exists(dataDir().resolve("postmaster.pid"))) {
      run(asOsUser, List.of(bin("pg_ctl"), "-D", dataDir().toString(), "-m", "immediate", "-w",
          "stop"), root.resolve("pg_ctl-stop.log"), false);
    }
    keepLog();
    deleteRecursively(root);
  }

  /**
   * Copies the server log to {@code target/postgres-logs/} (under Maven), for post-mortems: the
   * server itself cannot write there when it runs as the {@code postgres} OS user.
   */
  private void keepLog() {
    if (!Files.exists(logFile())) {
      return;
    }
    try {
      Files.copy(logFile(), logDirectory("postgres").resolve("postgres-" + port() + ".log"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // Best effort: the log only helps to diagnose failures.
    }
  }

  @Override
  public String toString() {
    return "PostgresServer{" + jdbcUrl() + ", dir=" + root + "}";
  }

  @Override
  protected String address() {
    return jdbcUrl();
  }

  /** A fresh cluster in {@code root/data}, then the server started on it with pg_ctl. */
  @Override
  protected void launch() {
    if (asOsUser) {
      try {
        chownToOsUser(root);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot give " + root + " to the '" + OS_USER
            + "' OS user", e);
      }
    }
    initdb();
    startServer();
  }

  private void initdb() {
    Path data = dataDir();
    run(asOsUser, List.of(bin("initdb"), "-D", data.toString(),
        "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"),
        root.resolve("initdb.log"), true);
    String hba = String.join("\n",
        "# Written by io.shardyfusion.testing.PostgresServer.",
        "local all all trust",
        "host all +" + PASSWORD_GROUP + " 127.0.0.1/32 scram-sha-256",
        "host all all 127.0.0.1/32 trust",
        "");
    try {
      Path file = data.resolve("pg_hba.conf");
      Files.writeString(file, hba, StandardCharsets.UTF_8);
      Files.createDirectories(root.resolve("sock"));
      if (asOsUser) {
        chownToOsUser(file);
        chownToOsUser(root.resolve("sock"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot configure the PostgreSQL cluster in " + root, e);
    }
  }

  private void startServer() {
    String options = String.join(" ", "-p", Integer.toString(port()),
        "-k", root.resolve("sock").toString(),
        "-c", "listen_addresses=127.0.0.1",
        // Test data need not survive a crash; durability only costs time here.
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        "-c", "shared_buffers=16MB", "-c", "max_connections=60");
    // pg_ctl -w returns once the server accepts connections, or fails with its log.
    boolean ok = run(asOsUser, List.of(bin("pg_ctl"), "-D", dataDir().toString(), "-l",
        logFile().toString(), "-o", options, "-w", "-t", Long.toString(START_DEADLINE.toSeconds()),
        "start"), root.resolve("pg_ctl-start.log"), false);
    if (!ok) {
      String log = tail(logFile());
      if (log.contains("could not bind") || log.contains("Address already in use")) {
        throw portTaken();
      }
      throw new IllegalStateException("PostgreSQL did not start on port " + port() + ". pg_ctl: "
          + tail(root.resolve("pg_ctl-start.log")) + "\nserver log (" + logFile() + "):\n"
          + log);
    }
  }

  /** A real connection succeeds (pg_ctl -w has returned, but check what the tests will do). */
  @Override
  protected boolean probe() throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, "")) {
      return c.isValid(5);
    }
  }

  @Override
  protected void bootstrap() {
    sql("postgres", "CREATE ROLE " + PASSWORD_GROUP + " NOLOGIN");
    sql("postgres", "CREATE DATABASE " + DEFAULT_DATABASE);
  }

  private void sql(String database, String statement) {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException("test PostgreSQL at " + jdbcUrl(database) + ": '"
          + statement.replaceAll("PASSWORD '[^']*'", "PASSWORD '***'") + "' failed: " + e, e);
    }
  }

  private String bin(String program) {
    return bindir.resolve(program).toString();
  }

  /** Runs a PostgreSQL program (as the OS user when we are root), output to {@code log}. */
  private static boolean run(boolean asOsUser, List<String> command, Path log,
      boolean required) {
    List<String> full = new ArrayList<>();
    if (asOsUser) {
      full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    full.addAll(command);
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      boolean done = p.waitFor(START_DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      boolean ok = done && p.exitValue() == 0;
      if (!ok && required) {
        throw new IllegalStateException("'" + String.join(" ", full) + "' failed"
            + (done ? " with exit code " + p.exitValue() : " (timed out)") + ":\n" + tail(log));
      }
      return ok;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", full)
          + (asOsUser ? " (running as root, so PostgreSQL runs as the '" + OS_USER + "' OS user "
              + "through runuser)" : ""), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + full, e);
    }
  }

  private static boolean isRoot() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      p.waitFor(10, TimeUnit.SECONDS);
      return out.equals("0");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void chownToOsUser(Path path) throws IOException {
    UserPrincipal user;
    try {
      user = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
    } catch (UserPrincipalNotFoundException e) {
      throw new IllegalStateException("running as root, but there is no '" + OS_USER + "' OS "
          + "user to run PostgreSQL as (it refuses root). Install the server with `bin/test` or "
          + "`apt-get install -y postgresql` (it creates the user), or run the tests as a "
          + "non-root user", e);
    }
    Files.setOwner(path, user);
  }

  private static String uniqueName(String prefix) {
    return checkName(prefix + "_" + UUID.randomUUID().toString().replace("-", "")
        .substring(0, 12)).toLowerCase(Locale.ROOT);
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a plain SQL name: use 1-63 "
          + "lower-case letters, digits and _, not starting with a digit");
    }
    return name;
  }
}
