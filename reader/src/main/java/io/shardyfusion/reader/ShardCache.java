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
  private final Path localRoot;
  private final ObjectStore store;

  ShardCache(Path localRoot, ObjectStore store) {
    this.localRoot = localRoot;
    this.store = store;
  }

  /**
   * Downloads and verifies a shard's files; returns the local directory. Another reader
   * sharing {@code localRoot} may evict the directory meanwhile; that is retried a few times.
   */
  Path ensureLocal(ShardMeta shard) {
    for (int attempt = 1; ; attempt++) {
      try {
        return ensureLocalOnce(shard);
      } catch (StorageException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 3) {
          throw e;
        }
      }
    }
  }

  private Path ensureLocalOnce(ShardMeta shard) {
    String dirKey = store.keyOf(shard.dbUrl());
    Path dir = localRoot.resolve(dirKey).normalize();
    // Strictly below localRoot: a shard directory equal to it would make eviction empty it.
    if (!dir.startsWith(localRoot) || dir.equals(localRoot)) {
      throw new StorageException("shard " + shard.dbId() + " url " + shard.dbUrl()
          + " escapes localRoot " + localRoot + "; the manifest is damaged or hostile, it "
          + "cannot be served", false);
    }
    try {
      // A symbolic link planted under localRoot must not lead the download elsewhere: checked
      // on the deepest directory that exists before anything is created, and again after.
      Files.createDirectories(localRoot); // so that the deepest existing one is inside it
      requireInsideLocalRoot(existingAncestor(dir), shard, dir);
      Files.createDirectories(dir);
      requireInsideLocalRoot(dir, shard, dir);
      for (ShardFile f : shard.files()) {
        Path target = dir.resolve(f.name());
        if (intact(target, f)) {
          continue;
        }
        Path tmp = dir.resolve("." + f.name() + "." + UUID.randomUUID() + ".part");
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
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      return dir;
    } catch (IOException e) {
      // Another reader evicting the directory meanwhile shows as NoSuchFileException: retried.
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
   * Deletes local shard directories a closed state used that {@code keep} does not. Another
   * process sharing {@code localRoot} that still has such files open keeps reading them (the
   * data stays until the last descriptor closes); one that opens them later downloads again.
   */
  void evict(java.util.List<Path> closed, java.util.Collection<Path> keep) {
    for (Path dir : closed) {
      if (keep.contains(dir)) {
        continue;
      }
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
        // attempt=… and db=… parents of a removed run may now be empty
        Path parent = dir.getParent();
        while (parent != null && parent.startsWith(localRoot) && !parent.equals(localRoot)) {
          try {
            Files.delete(parent);
          } catch (IOException notEmpty) {
            break;
          }
          parent = parent.getParent();
        }
      } catch (IOException e) {
        // a file in use elsewhere or already gone: the next eviction or restart retries
      }
    }
  }
}
