package io.shardyfusion.reader;

import io.shardyfusion.backend.ShardReader;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.routing.RecordRouter;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One snapshot, fully opened: manifest, router and an open {@link ShardReader} per non-empty
 * shard. Immutable once built. Reference-counted: the reader holds one reference while the
 * state is current, and every read holds one while it runs; the handles close when the count
 * reaches zero, so a refresh never closes a database under an in-flight read.
 */
final class ReaderState {
  final Manifest manifest;
  final String manifestRef;
  final ShardRouter router;
  final KeyEncoding encoding;
  /** Normalise, route, encode: the same {@link RecordRouter} the writers use. */
  final RecordRouter keys;
  final Instant loadedAt;
  private final ShardReader[] shards; // by db id; null for shards without rows
  final java.util.List<java.nio.file.Path> localDirs; // one per shard with rows
  // This state's marks on its local directories (see CacheLocks), released once its handles
  // closed: until then no reader's eviction, in any process, removes the files.
  private final java.util.List<CacheLocks.Use> uses;
  private volatile java.util.function.Consumer<ReaderState> onClosed = s -> { };
  private final AtomicInteger refs = new AtomicInteger(1);

  /** Open shard handles of every state of one reader (a metric); this state's are added. */
  private final AtomicInteger openShards;

  ReaderState(Manifest manifest, String manifestRef, ShardRouter router, ShardReader[] shards,
      java.util.List<ShardCache.LocalShard> local, AtomicInteger openShards) {
    this.manifest = manifest;
    this.manifestRef = manifestRef;
    this.router = router;
    this.encoding = manifest.keyEncoding();
    this.keys = new RecordRouter(router, encoding);
    this.shards = shards;
    this.localDirs = local.stream().map(ShardCache.LocalShard::dir).toList();
    this.uses = local.stream().map(ShardCache.LocalShard::use).toList();
    this.loadedAt = Instant.now();
    this.openShards = openShards;
    openShards.addAndGet(openCount());
  }

  private int openCount() {
    int n = 0;
    for (ShardReader shard : shards) {
      if (shard != null) {
        n++;
      }
    }
    return n;
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

  /** The open shard, or null when the shard has no rows (or no shard can hold the key). */
  ShardReader shard(int dbId) {
    return dbId == RecordRouter.NO_SHARD ? null : shards[dbId];
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
      uses.forEach(CacheLocks.Use::close);
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
    openShards.addAndGet(-openCount());
    for (ShardReader shard : shards) {
      if (shard != null) {
        shard.close();
      }
    }
  }
}
