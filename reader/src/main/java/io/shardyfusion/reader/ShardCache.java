package io.shardyfusion.reader;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.storage.Checksums;
import io.shardyfusion.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Local copies of shards under {@code localRoot}, laid out like the store
 * ({@code shards/run_id=…/db=…/attempt=…/}). A file is used only after its size and CRC32C
 * match the manifest; a file already present and intact (after a restart) is not downloaded
 * again. Each file lands by atomic rename of a verified temporary file, so two processes sharing
 * {@code localRoot} never see each other's partial downloads.
 */
final class ShardCache {
  private static final String PART_SUFFIX = ".part";
  private final Path localRoot;
  private final ObjectStore store;
  private final CacheLocks locks;
  private final ReaderMetrics metrics;

  ShardCache(Path localRoot, ObjectStore store, ReaderMetrics metrics) {
    this.localRoot = localRoot;
    this.store = store;
    try {
      Files.createDirectories(localRoot);
    } catch (IOException e) {
      throw new StorageException("cannot create the reader's localRoot " + localRoot + ": " + e
          + "; check its permissions and free space", false, e);
    }
    this.locks = CacheLocks.forRoot(localRoot);
    this.metrics = metrics;
  }

  /** A verified local shard directory and this reader's use mark on it (see {@link CacheLocks}). */
  record LocalShard(Path dir, CacheLocks.Use use) {}

  /**
   * Downloads and verifies a shard's files; returns the local directory, marked as used until
   * the caller closes {@link LocalShard#use()}. Another reader sharing {@code localRoot} may have
   * evicted a parent directory meanwhile; that is retried a few times.
   */
  LocalShard ensureLocal(ShardMeta shard) {
    String dirKey = store.keyOf(shard.dbUrl());
    Path dir = localRoot.resolve(dirKey).normalize();
    // Strictly below localRoot: a shard directory equal to it would make eviction empty it.
    if (!dir.startsWith(localRoot) || dir.equals(localRoot)) {
      throw new StorageException("shard " + shard.dbId() + " url " + shard.dbUrl()
          + " escapes localRoot " + localRoot + "; the manifest is damaged or hostile, it "
          + "cannot be served", false);
    }
    String lockKey = lockKey(dir);
    removeStalePartialsIfUnused(lockKey, dir);
    // Marked before the files are checked: from here until the state closes, no other
    // process's eviction can delete them, and one that is deleting them now finishes first.
    CacheLocks.Use use = locks.acquireShared(lockKey);
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          return new LocalShard(ensureLocalOnce(shard, dirKey, dir), use);
        } catch (StorageException e) {
          if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 3) {
            throw e;
          }
        }
      }
    } catch (RuntimeException e) {
      use.close();
      throw e;
    }
  }

  /**
   * Temporary files of a download that never finished (a reader killed mid-download) are
   * removed when nobody uses the directory; they are never read (only verified files are
   * renamed into place), this only reclaims their space.
   */
  private void removeStalePartialsIfUnused(String dirKey, Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try {
      locks.ifUnused(dirKey, () -> {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            if (isPartial(f)) {
              Files.deleteIfExists(f);
            }
          }
        }
      });
    } catch (IOException e) {
      // reclaiming space only: the next eviction removes them
    }
  }

  private static boolean isPartial(Path f) {
    String name = f.getFileName().toString();
    return name.startsWith(".") && name.endsWith(PART_SUFFIX);
  }

  private Path ensureLocalOnce(ShardMeta shard, String dirKey, Path dir) {
    try {
      // A symbolic link planted under localRoot must not lead the download elsewhere: checked
      // on the deepest directory that exists before anything is created, and again after.
      Files.createDirectories(localRoot); // so that the deepest existing one is inside it
      requireInsideLocalRoot(existingAncestor(dir), shard, dir);
      Files.createDirectories(dir);
      requireInsideLocalRoot(dir, shard, dir);
      long downloaded = 0;
      long reused = 0;
      for (ShardFile f : shard.files()) {
        Path target = dir.resolve(f.name());
        if (intact(target, f)) {
          reused += f.size();
          continue;
        }
        Path tmp = dir.resolve("." + f.name() + "." + UUID.randomUUID() + PART_SUFFIX);
        try {
          store.download(dirKey + "/" + f.name(), tmp);
          if (!intact(tmp, f)) {
            throw new StorageException("shard " + shard.dbId() + " file "
                + store.url(dirKey + "/" + f.name()) + " does not match the manifest (expected "
                + f.size() + " bytes" + (f.crc32c() == null ? "" : ", crc32c " + f.crc32c())
                + "): the object is corrupt or was "
                + "replaced; the snapshot cannot be served", false);
          }
          moveIntoPlace(tmp, target);
          downloaded += f.size();
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      if (downloaded > 0) {
        metrics.shardDownloaded(downloaded);
      } else {
        metrics.shardReused(reused);
      }
      return dir;
    } catch (IOException e) {
      // A parent evicted meanwhile by another reader shows as NoSuchFileException: retried.
      throw new StorageException("cannot store shard " + shard.dbId() + " under " + dir + ": "
          + e + "; check free space and permissions of the reader's localRoot", true, e);
    }
  }

  private static Path existingAncestor(Path dir) {
    Path p = dir;
    while (p != null && !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      p = p.getParent();
    }
    return p;
  }

  private void requireInsideLocalRoot(Path p, ShardMeta shard, Path dir) throws IOException {
    if (p == null || !p.toRealPath().startsWith(localRoot.toRealPath())) {
      throw new StorageException("shard " + shard.dbId() + " directory " + dir
          + " leads outside localRoot " + localRoot + " through a symbolic link; remove the "
          + "link from the reader's localRoot", false);
    }
  }

  /**
   * Size and CRC32C as the manifest lists them. Manifests of the Python system record no
   * checksum: their files are checked by size alone.
   */
  private static boolean intact(Path file, ShardFile expected) throws IOException {
    return Files.isRegularFile(file) && Files.size(file) == expected.size()
        && (expected.crc32c() == null || Checksums.crc32c(file).equals(expected.crc32c()));
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Deletes every local shard directory under {@code localRoot} that {@code keep} does not
   * list and nobody uses: not this JVM's readers, not another process sharing the root (see
   * {@link CacheLocks}). A directory in use elsewhere is skipped; a later eviction (after the
   * next refresh of any reader) removes it once it is released.
   *
   * @return the directories deleted
   */
  int evictUnused(java.util.Collection<Path> keep) {
    int evicted = 0;
    for (Path dir : shardDirs()) {
      if (keep.contains(dir)) {
        continue;
      }
      try {
        if (locks.ifUnused(lockKey(dir), () -> deleteDir(dir))) {
          evicted++;
        }
      } catch (IOException e) {
        // a file vanished or cannot be deleted now: the next eviction or restart retries
      }
    }
    return evicted;
  }

  /** One spelling of a directory for {@link CacheLocks}, whichever way its URL was written. */
  private String lockKey(Path dir) {
    return localRoot.relativize(dir).toString().replace(java.io.File.separatorChar, '/');
  }

  /**
   * The attempt directories under {@code localRoot/shards} (run_id=…/db=…/attempt=…). Another
   * process may be evicting meanwhile: entries that vanish while listed are skipped.
   */
  private java.util.List<Path> shardDirs() {
    return attemptDirs(localRoot);
  }

  /** As {@link #shardDirs()} for any {@code localRoot}; also the tests' and soak's view. */
  static java.util.List<Path> attemptDirs(Path localRoot) {
    java.util.List<Path> out = new java.util.ArrayList<>();
    Path shards = localRoot.resolve(io.shardyfusion.layout.SnapshotLayout.SHARDS);
    if (!Files.isDirectory(shards)) {
      return out;
    }
    try {
      Files.walkFileTree(shards, java.util.Set.of(), 3, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path p,
            java.nio.file.attribute.BasicFileAttributes a) {
          // at depth 3 directories are "visited" as files
          if (a.isDirectory() && p.getFileName().toString().startsWith("attempt=")) {
            out.add(p);
          }
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException e) {
          return java.nio.file.FileVisitResult.CONTINUE; // vanished under an eviction
        }
      });
    } catch (IOException e) {
      // the shards directory itself vanished: nothing to list
    }
    return out;
  }

  private void deleteDir(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      return;
    }
    Files.deleteIfExists(dir);
    // attempt=… and db=… parents of a removed run may now be empty
    Path parent = dir.getParent();
    while (parent != null && parent.startsWith(localRoot) && !parent.equals(localRoot)
        && !parent.equals(localRoot.resolve(io.shardyfusion.layout.SnapshotLayout.SHARDS))) {
      try {
        Files.delete(parent);
      } catch (IOException notEmpty) {
        break;
      }
      parent = parent.getParent();
    }
  }
}
