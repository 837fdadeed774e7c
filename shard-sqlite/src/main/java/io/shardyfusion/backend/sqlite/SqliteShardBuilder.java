package io.shardyfusion.backend.sqlite;

import io.shardyfusion.backend.ShardBuilder;
import io.shardyfusion.errors.ShardBuildException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.storage.Checksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * Writes one {@code shard.db} from sorted records: the Python writer's settings (no journal, no
 * fsync per statement, exclusive lock, one transaction) with inserts batched so that a batch of
 * rows crosses into the native driver at once. Rows arrive in key order, so every insert
 * appends to the right edge of the b-tree and the file stays compact without a rebuild.
 * Memory: SQLite's page cache (a fixed 16 MiB, off the Java heap) and one batch of rows.
 */
final class SqliteShardBuilder implements ShardBuilder {
  private static final int BATCH_ROWS = 512;
  private static final int CACHE_KIB = 16 * 1024;
  /** Values longer than this need 64 KiB pages whatever the rest: no need to count further. */
  private static final int LENGTH_BUCKETS = PageSize.inlinePayloadLimit(65536) + 2;

  private final int dbId;
  private final Path dir;
  private final Path file;
  private final PageSize pageSize;
  private final long[] valueLengths; // histogram for PageSize.auto(), else null
  private Connection connection;
  private PreparedStatement insert;
  private int batched;
  private long rows;
  private int maxKeyBytes;
  private boolean finished;
  private boolean closed;

  SqliteShardBuilder(int dbId, Path dir, PageSize pageSize) {
    this.dbId = dbId;
    this.dir = dir;
    this.file = dir.resolve(SqliteBackend.FILE_NAME);
    this.pageSize = pageSize;
    this.valueLengths = pageSize.isAuto() ? new long[LENGTH_BUCKETS] : null;
  }

  private void open() throws SQLException, IOException {
    Files.createDirectories(dir);
    connection = connect(file);
    try (Statement s = connection.createStatement()) {
      // page_size must precede the first table; journal_mode=OFF keeps the header's
      // rollback-journal format (bytes 18-19 = 1) and leaves no -journal file behind.
      s.execute("PRAGMA page_size=" + pageSize.initialBytes());
      s.execute("PRAGMA journal_mode=OFF");
      s.execute("PRAGMA synchronous=OFF");
      s.execute("PRAGMA locking_mode=EXCLUSIVE");
      s.execute("PRAGMA temp_store=FILE");
      s.execute("PRAGMA cache_size=-" + CACHE_KIB);
      s.execute("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
    }
    connection.setAutoCommit(false);
    insert = connection.prepareStatement("INSERT INTO kv (k, v) VALUES (?, ?)");
  }

  @Override
  public void add(byte[] key, byte[] value) {
    try {
      if (connection == null) {
        open();
      }
      insert.setBytes(1, key);
      insert.setBytes(2, value);
      insert.addBatch();
      if (++batched == BATCH_ROWS) {
        flush();
      }
    } catch (SQLException e) {
      throw failure("writing", e);
    } catch (IOException e) {
      throw ioFailure(e);
    }
    rows++;
    if (key.length > maxKeyBytes) {
      maxKeyBytes = key.length;
    }
    if (valueLengths != null) {
      valueLengths[Math.min(value.length, LENGTH_BUCKETS - 1)]++;
    }
  }

  private void flush() throws SQLException {
    if (batched > 0) {
      insert.executeBatch();
      batched = 0;
    }
  }

  @Override
  public List<ShardFile> finish() {
    try {
      flush();
      connection.commit();
      insert.close();
      connection.close();
      connection = null;
      if (valueLengths != null) {
        int target = PageSize.recommend(p95ValueBytes(), maxKeyBytes);
        if (target != pageSize.initialBytes()) {
          repage(target);
        }
      }
      finished = true;
      return List.of(new ShardFile(SqliteBackend.FILE_NAME, Files.size(file),
          Checksums.crc32c(file)));
    } catch (SQLException e) {
      throw failure("finishing", e);
    } catch (IOException e) {
      throw ioFailure(e);
    } finally {
      close();
    }
  }

  /** Nearest-rank 95th percentile of value lengths, as the Python writer computes it. */
  private long p95ValueBytes() {
    long rank = Math.max(1, (long) Math.ceil(rows * 0.95));
    long seen = 0;
    for (int len = 0; len < valueLengths.length; len++) {
      seen += valueLengths[len];
      if (seen >= rank) {
        return len;
      }
    }
    return valueLengths.length - 1;
  }

  /** Rewrites the file with another page size (VACUUM honours a new page_size). */
  private void repage(int target) throws SQLException {
    try (Connection c = connect(file);
        Statement s = c.createStatement()) {
      // A rollback journal (not OFF) so that a crash mid-VACUUM cannot corrupt the file; it is
      // deleted when the VACUUM commits. temp_store=FILE keeps the rebuild off the heap.
      s.execute("PRAGMA temp_store=FILE");
      s.execute("PRAGMA page_size=" + target);
      s.execute("VACUUM");
    }
  }

  /** Not through DriverManager, whose driver discovery fails in some runners' class loaders. */
  private static Connection connect(Path file) throws SQLException {
    return new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (insert != null) {
        insert.close();
      }
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException e) {
      // closing after a failure: the failure is what the caller reports
    }
    if (!finished) {
      try {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir.resolve(SqliteBackend.FILE_NAME + "-journal"));
      } catch (IOException e) {
        // temporary build files only
      }
    }
  }

  private ShardBuildException failure(String what, SQLException e) {
    // SQLITE_FULL (13) and SQLITE_IOERR (10, with extended codes) are the disk's problem and
    // may pass; anything else is deterministic.
    int primary = e.getErrorCode() & 0xff;
    boolean retryable = primary == 13 || primary == 10;
    return new ShardBuildException("SQLite failed " + what + " shard " + dbId + " in " + file
        + ": " + e.getMessage() + (retryable ? "; check free space of the build directory" : ""),
        retryable, e);
  }

  private ShardBuildException ioFailure(IOException e) {
    return new ShardBuildException("cannot write shard " + dbId + " under " + dir + ": "
        + e.getMessage() + "; check free space and permissions of the build directory", true, e);
  }
}
