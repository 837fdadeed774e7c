package io.shardyfusion.manifest.postgres;

import io.shardyfusion.errors.ReaderStateException;
import io.shardyfusion.errors.ConfigValidationException;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One connection, opened on first use and reused for every transaction of a store, reopened
 * after it breaks. Transactions run one at a time (a store's calls are short and rare; a pool
 * would only add a dependency).
 *
 * <pre>{@code
 * ConnectionHolder db = new ConnectionHolder(config);
 * int n = db.inTransaction("count manifests", c -> ...);
 * }</pre>
 */
final class ConnectionHolder implements AutoCloseable {
  /** Work inside one transaction; it may throw SQLException or a ShardyfusionException. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final PostgresConfig config;
  private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
  private Connection connection;
  private boolean closed;

  ConnectionHolder(PostgresConfig config) {
    this.config = config;
    try {
      dataSource.setURL(config.jdbcUrl());
    } catch (IllegalArgumentException e) {
      throw new ConfigValidationException("jdbcUrl '" + config.jdbcUrl() + "' is not a valid "
          + "PostgreSQL JDBC URL (" + e.getMessage() + "): expected "
          + "jdbc:postgresql://<host>[:<port>]/<database>", e);
    }
    dataSource.setUser(config.user());
    config.resolvePassword().ifPresent(dataSource::setPassword);
    int seconds = (int) config.connectTimeout().toSeconds();
    dataSource.setConnectTimeout(seconds);
    dataSource.setLoginTimeout(seconds);
    dataSource.setApplicationName("shardyfusion");
    // Every statement here is small: a call that hangs (a half-open connection, a lock held by
    // a stuck publisher) should fail, retryably, instead of blocking a reader's refresh forever.
    dataSource.setSocketTimeout(SOCKET_TIMEOUT_SECONDS);
    if (dataSource.getOptions() == null) {
      dataSource.setOptions("-c lock_timeout=" + LOCK_TIMEOUT_MS + " -c statement_timeout="
          + SOCKET_TIMEOUT_SECONDS * 1000 / 2);
    }
  }

  /** Seconds a read from the server may block before the connection counts as lost. */
  static final int SOCKET_TIMEOUT_SECONDS = 60;
  /** How long a pointer move waits for another one's dataset lock. */
  static final int LOCK_TIMEOUT_MS = 30_000;

  /**
   * Runs {@code work} in a transaction: commits if it returns, rolls back if it throws.
   *
   * @throws io.shardyfusion.errors.StorageException for a SQLException, retryable by SQLSTATE
   */
  synchronized <T> T inTransaction(String action, Work<T> work) {
    if (closed) {
      throw new ReaderStateException("the PostgreSQL manifest store "
          + PostgresErrors.location(config) + " is closed; open a new one");
    }
    Connection c = null;
    try {
      c = open();
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException e) {
      rollbackQuietly(c);
      if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
        // A connection error leaves the session in an unknown state; start afresh next time.
        closeQuietly();
      }
      throw PostgresErrors.map(e, action, config);
    } catch (RuntimeException | Error e) {
      rollbackQuietly(c);
      throw e;
    }
  }

  private Connection open() throws SQLException {
    if (connection != null && connection.isClosed()) {
      connection = null;
    }
    if (connection == null) {
      Connection c = dataSource.getConnection();
      c.setAutoCommit(false);
      connection = c;
    }
    return connection;
  }

  private void rollbackQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.rollback();
    } catch (SQLException e) {
      // The connection is broken (that may be why the work failed): open a new one next time.
      closeQuietly();
    }
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Nothing to do: it is being thrown away.
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeQuietly();
  }
}
