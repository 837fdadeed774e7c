package io.shardyfusion.reader;

import io.shardyfusion.errors.StorageException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Use marks on the shard directories of one {@code localRoot}, shared by every process (and
 * every reader in this JVM) that uses that root, so that one process's eviction never removes
 * a directory another one has open or is verifying.
 *
 * <p>A reader holds a <em>shared</em> lock on a directory from before it checks or downloads the
 * directory's files until the state that opened them has closed. Eviction deletes a directory
 * only while it holds an <em>exclusive</em> lock, taken with {@code tryLock}: if anyone holds
 * the directory, eviction skips it (a later eviction retries); if an eviction holds it, a
 * reader waits until the deletion is done and then downloads the files again.
 *
 * <p>The locks are POSIX record locks ({@link FileChannel#tryLock(long, long, boolean)}) on one
 * byte each of a single lock file, {@code localRoot/.shardyfusion-cache.lock}, at an offset
 * hashed from the directory's key. One file that is never deleted avoids the classic race of
 * per-directory lock files (a process locking a lock file another process just unlinked); a
 * hash collision only makes eviction more cautious. The lock goes away with the process, so a
 * killed reader blocks nobody. POSIX drops all of a process's locks on a file when any of its
 * descriptors of that file closes, so this JVM keeps exactly one channel per lock file, shared
 * through {@link #forRoot}, and counts its own holders per offset (Java also refuses
 * overlapping locks within one JVM).
 */
final class CacheLocks {
  static final String LOCK_FILE = ".shardyfusion-cache.lock";
  private static final Map<Path, CacheLocks> BY_FILE = new ConcurrentHashMap<>();

  private final Path lockFile;
  private FileChannel channel; // guarded by this; reopened if an interrupt closed it
  private final Map<Long, Held> held = new HashMap<>(); // guarded by this

  private static final class Held {
    FileLock lock;
    int holders;
  }

  /** One holder's shared lock on one directory; {@link #close} releases it (idempotent). */
  final class Use implements AutoCloseable {
    private final long offset;
    private boolean released;

    private Use(long offset) {
      this.offset = offset;
    }

    @Override
    public void close() {
      synchronized (CacheLocks.this) {
        if (released) {
          return;
        }
        released = true;
        Held h = held.get(offset);
        if (--h.holders == 0) {
          held.remove(offset);
          releaseQuietly(h.lock);
        }
      }
    }
  }

  /** Something done to a directory while holding its exclusive lock. */
  interface DirAction {
    void run() throws IOException;
  }

  private CacheLocks(Path lockFile) {
    this.lockFile = lockFile;
  }

  /** The JVM-wide instance for {@code localRoot} (one channel per lock file, see above). */
  static CacheLocks forRoot(Path localRoot) {
    Path file = localRoot.toAbsolutePath().normalize().resolve(LOCK_FILE);
    return BY_FILE.computeIfAbsent(file, CacheLocks::new);
  }

  /**
   * Marks {@code dirKey} as used until the returned handle closes, waiting while another process
   * evicts it.
   */
  synchronized Use acquireShared(String dirKey) {
    long offset = offsetOf(dirKey);
    Held h = held.get(offset);
    if (h == null) {
      h = new Held();
      h.lock = lockWaiting(offset);
      held.put(offset, h);
    }
    h.holders++;
    return new Use(offset);
  }

  /**
   * Runs {@code action} while holding {@code dirKey} exclusively, if nobody (in this JVM or any
   * other process) uses it; otherwise does nothing.
   *
   * @return whether {@code action} ran
   */
  synchronized boolean ifUnused(String dirKey, DirAction action) throws IOException {
    long offset = offsetOf(dirKey);
    if (held.containsKey(offset)) {
      return false;
    }
    FileLock lock = withChannel(ch -> ch.tryLock(offset, 1, false));
    if (lock == null) {
      return false; // another process holds it
    }
    try {
      action.run();
      return true;
    } finally {
      releaseQuietly(lock);
    }
  }

  /**
   * A shared lock at {@code offset}; while another process holds it exclusively (an eviction
   * deleting a few files), retried every millisecond. Polling with {@code tryLock} rather than
   * the blocking {@code lock}: an interrupt during a blocking lock closes the channel, which
   * would drop every lock this JVM holds on the file.
   */
  private FileLock lockWaiting(long offset) {
    boolean interrupted = Thread.interrupted();
    try {
      for (;;) {
        FileLock lock = withChannel(ch -> ch.tryLock(offset, 1, true));
        if (lock != null) {
          return lock;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        interrupted |= Thread.interrupted();
      }
    } catch (IOException e) {
      throw new StorageException("cannot lock " + lockFile + ": " + e
          + "; check that the reader's localRoot is writable and on a local file system", true,
          e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private interface ChannelCall<T> {
    T call(FileChannel ch) throws IOException;
  }

  /**
   * Runs a lock call on the channel, reopening it if it was closed (by an interrupt of a thread
   * using it): the reopened channel takes again every shared lock this JVM holds.
   */
  private <T> T withChannel(ChannelCall<T> call) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        if (channel == null || !channel.isOpen()) {
          reopen();
        }
        return call.call(channel);
      } catch (ClosedChannelException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private void reopen() throws IOException {
    channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE); // shared locks need READ, exclusive ones WRITE
    for (Map.Entry<Long, Held> e : held.entrySet()) {
      FileLock again = channel.tryLock(e.getKey(), 1, true);
      // null: another process evicts the directory this very moment; our files are open, so
      // the data survives, and the state using them goes away at its next refresh.
      e.getValue().lock = again;
    }
  }

  private static void releaseQuietly(FileLock lock) {
    if (lock == null) {
      return;
    }
    try {
      lock.release();
    } catch (IOException e) {
      // the channel closed: the lock is gone already
    }
  }

  /** A byte offset per directory key, below 2^62 (the lock range must not overflow). */
  static long offsetOf(String dirKey) {
    UUID h = UUID.nameUUIDFromBytes(dirKey.getBytes(StandardCharsets.UTF_8));
    return h.getMostSignificantBits() >>> 2;
  }
}
