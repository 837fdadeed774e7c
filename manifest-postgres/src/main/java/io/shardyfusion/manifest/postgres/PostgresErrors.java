package io.shardyfusion.manifest.postgres;

import io.shardyfusion.errors.StorageException;
import java.sql.SQLException;

/**
 * Turns a {@link SQLException} into a {@link StorageException} whose {@code retryable} flag
 * follows the SQLSTATE class, and whose message names the server (never the password) and what
 * to do about it.
 *
 * <pre>{@code
 * catch (SQLException e) { throw PostgresErrors.map(e, "publish", config); }
 * }</pre>
 */
final class PostgresErrors {
  private PostgresErrors() {}

  /** @param action what was being done, e.g. "load the current pointer" */
  static StorageException map(SQLException e, String action, PostgresConfig config) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return new StorageException("PostgreSQL manifest store " + location(config) + ": cannot "
        + action + ": " + e.getMessage() + (state.isEmpty() ? "" : " [SQLSTATE " + state + "]")
        + ". " + hint(state, config.jdbcUrl(), config.user()), retryable(state), e);
  }

  /** The URL (which never holds a password) and the dataset. */
  static String location(PostgresConfig config) {
    return config.jdbcUrl() + " dataset=" + config.dataset();
  }

  /**
   * Whether trying again unchanged may work: lost or refused connections (08), serialization
   * failures and deadlocks (40), exhausted resources (53) and a server shutting down or
   * starting (57P01-57P03), a lock or statement timeout (55P03, 57014). Authentication (28), syntax or permission (42), a missing database
   * (3D000) and everything else need a change first.
   */
  static boolean retryable(String sqlState) {
    if (sqlState == null) {
      return false;
    }
    return sqlState.startsWith("08") || sqlState.startsWith("40") || sqlState.startsWith("53")
        || sqlState.startsWith("57P0") || sqlState.equals("55P03") || sqlState.equals("57014");
  }

  private static String hint(String state, String url, String user) {
    if (state.startsWith("08")) {
      return "Is the PostgreSQL server running at " + url + " and reachable from here? "
          + "(check the host and port in jdbcUrl, and connectTimeout)";
    }
    if (state.startsWith("28")) {
      return "Check user/password: user '" + user + "' was refused (password, passwordFromEnv, "
          + "or the server's pg_hba.conf)";
    }
    if (state.equals("3D000")) {
      return "Create the database (CREATE DATABASE <name>) or fix the database name in jdbcUrl";
    }
    if (state.equals("42501")) {
      return "Grant user '" + user + "' the privileges it needs: CREATE on the schema (the "
          + "first use creates the tables) and SELECT, INSERT, DELETE on the tables";
    }
    if (state.startsWith("42")) {
      return "The tables may have been created by an incompatible version, or tablePrefix "
          + "clashes with other tables";
    }
    if (state.startsWith("40")) {
      return "A concurrent transaction conflicted; try again";
    }
    if (state.startsWith("53")) {
      return "The server is out of resources (connections, memory or disk); try again later "
          + "or raise its limits";
    }
    if (state.startsWith("57P0")) {
      return "The server is shutting down or starting up; try again";
    }
    return "See the PostgreSQL server log";
  }
}
