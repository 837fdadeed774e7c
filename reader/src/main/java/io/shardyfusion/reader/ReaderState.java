package io.shardyfusion.reader;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * One snapshot, fully opened: manifest, router and a read-only RocksDB handle per non-empty
 * shard. Immutable once built. Reference-counted: the reader holds one reference while the
 * state is current, and every read holds one while it runs; the handles close when the count
 * reaches zero, so a refresh never closes a database under an in-flight read.
 */
final class ReaderState {
  final Manifest manifest;
  final String manifestRef;
  final ShardRouter router;
  final KeyEncoding encoding;
  final Instant loadedAt;
  private final RocksDB[] shards; // by db id; null for shards without rows
  private final Options options;
  private final AutoCloseable[] resources; // native objects the options point to
  final java.util.List<java.nio.file.Path> localDirs; // one per shard with rows
  private volatile java.util.function.Consumer<ReaderState> onClosed = s -> { };
  private final AtomicInteger refs = new AtomicInteger(1);

  ReaderState(Manifest manifest, String manifestRef, ShardRouter router, RocksDB[] shards,
      java.util.List<java.nio.file.Path> localDirs, Options options,
      AutoCloseable... resources) {
    this.manifest = manifest;
    this.manifestRef = manifestRef;
    this.router = router;
    this.encoding = manifest.keyEncoding();
    this.shards = shards;
    this.options = options;
    this.resources = resources;
    this.localDirs = java.util.List.copyOf(localDirs);
    this.loadedAt = Instant.now();
  }

  /** Where shard {@code dbId} is opened from, or null when it has no rows. */
  java.nio.file.Path localDir(int dbId) {
    for (int i = 0; i < manifest.shards().size(); i++) {
      if (manifest.shards().get(i).dbId() == dbId) {
        return localDirs.get(i);
      }
    }
    return null;
  }

  /** The shard's database, or null when the shard has no rows. */
  RocksDB shard(int dbId) {
    return shards[dbId];
  }

  /** Takes a reference; false if the state is already closed. */
  boolean retain() {
    for (;;) {
      int n = refs.get();
      if (n == 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (refs.decrementAndGet() == 0) {
      closeHandles();
      onClosed.accept(this);
    }
  }

  /** Runs after the handles closed, on the thread that released the last reference. */
  void onClosed(java.util.function.Consumer<ReaderState> action) {
    this.onClosed = action;
  }

  boolean isClosed() {
    return refs.get() == 0;
  }

  private void closeHandles() {
    for (RocksDB db : shards) {
      if (db != null) {
        db.close();
      }
    }
    options.close();
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // native handles: close() does not fail in practice, and the state is gone either way
      }
    }
  }
}
