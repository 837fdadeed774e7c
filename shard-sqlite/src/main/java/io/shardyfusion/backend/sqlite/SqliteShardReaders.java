package io.shardyfusion.backend.sqlite;

import io.shardyfusion.backend.ShardIterator;
import io.shardyfusion.backend.ShardReadOptions;
import io.shardyfusion.backend.ShardReader;
import io.shardyfusion.backend.ShardReaders;
import io.shardyfusion.errors.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens {@code shard.db} files read-only. Each shard keeps a pool of connections, one per
 * thread reading at the same moment (a JDBC connection is not safe for concurrent use, and a
 * lock around one would serialise every lookup): a lookup takes a connection from the pool, or
 * opens one, and gives it back. Files are opened {@code immutable} (no locks, no change
 * checks: a verified shard never changes) and memory-mapped, so pages are read from the OS page
 * cache and never copied onto the Java heap.
 */
final class SqliteShardReaders implements ShardReaders {
  /** Memory-map at most this much of a file (SQLite's own ceiling is about 2 GiB). */
  private static final long MAX_MMAP_BYTES = 1L << 30;

  private final long cachePagesKib;

  SqliteShardReaders(ShardReadOptions options) {
    // SQLite's page cache is per connection; with memory mapping it matters little, so it
    // stays small unless the reader asks for more.
    this.cachePagesKib = Math.max(2048, Math.min(options.cacheBytes() / 1024, 64 * 1024));
  }

  @Override
  public ShardReader open(Path dir) {
    Path file = dir.resolve(SqliteBackend.FILE_NAME);
    SqliteFileHeader header = SqliteFileHeader.read(file);
    Shard shard = new Shard(file, header, cachePagesKib);
    try {
      // The first connection checks the schema before anything is prepared against it, then
      // becomes the pool's first idle connection.
      Connection c = shard.connect();
      try {
        SqliteSchemaCheck.check(c, file);
        shard.give(shard.handle(c));
      } catch (RuntimeException | SQLException e) {
        c.close();
        throw e;
      }
      return shard;
    } catch (SQLException e) {
      shard.close();
      throw shard.openError(e);
    } catch (RuntimeException e) {
      shard.close();
      throw e;
    }
  }

  @Override
  public void close() {
    // nothing reader-wide: every shard owns its connections
  }

  /** One connection with its prepared lookup. */
  private record Handle(Connection connection, PreparedStatement get) {}

  private static final class Shard implements ShardReader {
    private final Path file;
    private final SqliteFileHeader header;
    private final long cacheKib;
    private final Queue<Handle> idle = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    Shard(Path file, SqliteFileHeader header, long cacheKib) {
      this.file = file;
      this.header = header;
      this.cacheKib = cacheKib;
    }

    Connection connect() throws SQLException {
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(true);
      config.setOpenMode(SQLiteOpenMode.READONLY);
      config.setOpenMode(SQLiteOpenMode.OPEN_URI);
      config.setCacheSize((int) -cacheKib);
      Connection c = config.createConnection("jdbc:sqlite:file:" + file.toAbsolutePath()
          + "?immutable=1");
      try (var s = c.createStatement()) {
        s.execute("PRAGMA mmap_size=" + Math.min(header.fileBytes(), MAX_MMAP_BYTES));
      }
      return c;
    }

    Handle take() {
      Handle h = idle.poll();
      if (h != null) {
        return h;
      }
      if (closed) {
        throw closedError();
      }
      try {
        return handle(connect());
      } catch (SQLException e) {
        throw openError(e);
      }
    }

    Handle handle(Connection c) throws SQLException {
      return new Handle(c, c.prepareStatement("SELECT v FROM kv WHERE k = ?"));
    }

    StorageException openError(SQLException e) {
      return new StorageException("cannot open SQLite shard " + file + ": " + e.getMessage()
          + "; the local copy under the reader's localRoot may be damaged, delete it and retry",
          true, e);
    }

    void give(Handle h) {
      if (closed) {
        closeQuietly(h);
        return;
      }
      idle.offer(h);
      if (closed && idle.remove(h)) {
        closeQuietly(h); // close() ran between the check and the offer
      }
    }

    @Override
    public byte[] get(byte[] key) {
      Handle h = take();
      try {
        return lookup(h, key);
      } finally {
        give(h);
      }
    }

    @Override
    public List<byte[]> multiGet(List<byte[]> keys) {
      Handle h = take();
      try {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
          out.add(lookup(h, k));
        }
        return out;
      } finally {
        give(h);
      }
    }

    private byte[] lookup(Handle h, byte[] key) {
      try {
        h.get.setBytes(1, key);
        try (ResultSet rs = h.get.executeQuery()) {
          return rs.next() ? rs.getBytes(1) : null;
        }
      } catch (SQLException e) {
        throw new StorageException("SQLite lookup in " + file + " failed: " + e.getMessage(),
            true, e);
      }
    }

    @Override
    public ShardIterator iterator() {
      try {
        Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT k, v FROM kv ORDER BY k");
        ResultSet rs = ps.executeQuery();
        return new ShardIterator() {
          @Override
          public boolean next() {
            try {
              return rs.next();
            } catch (SQLException e) {
              throw new StorageException("SQLite scan of " + file + " failed: " + e.getMessage(),
                  true, e);
            }
          }

          @Override
          public byte[] key() {
            return column(1);
          }

          @Override
          public byte[] value() {
            return column(2);
          }

          private byte[] column(int i) {
            try {
              return rs.getBytes(i);
            } catch (SQLException e) {
              throw new StorageException("SQLite scan of " + file + " failed: "
                  + e.getMessage(), true, e);
            }
          }

          @Override
          public void close() {
            try {
              rs.close();
              ps.close();
              c.close();
            } catch (SQLException e) {
              // read-only: nothing to lose
            }
          }
        };
      } catch (SQLException e) {
        throw new StorageException("cannot scan SQLite shard " + file + ": " + e.getMessage(),
            true, e);
      }
    }

    @Override
    public void close() {
      closed = true;
      for (Handle h; (h = idle.poll()) != null; ) {
        closeQuietly(h);
      }
    }

    private StorageException closedError() {
      return new StorageException("SQLite shard " + file + " is closed", false);
    }

    private static void closeQuietly(Handle h) {
      try {
        h.get.close();
        h.connection.close();
      } catch (SQLException e) {
        // read-only: nothing to lose
      }
    }
  }
}
