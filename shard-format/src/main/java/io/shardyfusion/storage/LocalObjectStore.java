package io.shardyfusion.storage;

import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@code file://} store: keys are relative paths under a directory. Every write goes to a
 * temporary sibling first and is renamed into place, so readers never see a partial object.
 * Also the test double for object storage in pure-logic unit tests.
 */
public final class LocalObjectStore implements ObjectStore {
  private static final String TMP_SUFFIX = ".sf-tmp";
  private final Path root;

  public LocalObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  @Override
  public String baseUrl() {
    return "file://" + root;
  }

  private Path resolve(String key) {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root) || key.isEmpty()) {
      throw new StorageException("key '" + key + "' escapes the store root " + root, false);
    }
    return p;
  }

  @Override
  public void put(String key, byte[] data, String contentType) {
    Path target = resolve(key);
    try {
      writeIntoPlace(target, tmp -> Files.write(tmp, data));
    } catch (IOException e) {
      throw failure("write", key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>On the same file system the object is a hard link to {@code file} rather than a copy, so
   * publishing a shard costs no I/O; callers hand over files they will not modify again (shard
   * files are immutable once built).
   */
  @Override
  public void putFile(String key, Path file) {
    Path target = resolve(key);
    try {
      writeIntoPlace(target, tmp -> {
        try {
          Files.createLink(tmp, file);
        } catch (NoSuchFileException e) {
          throw e; // the directory went away: writeIntoPlace recreates it
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING); // another file system
        }
      });
    } catch (IOException e) {
      throw failure("write", key, e);
    }
  }

  @Override
  public byte[] get(String key) {
    return getIfExists(key).orElseThrow(() -> new ObjectNotFoundException(url(key)));
  }

  @Override
  public Optional<byte[]> getIfExists(String key) {
    try {
      return Optional.of(Files.readAllBytes(resolve(key)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failure("read", key, e);
    }
  }

  @Override
  public Optional<byte[]> getIfExists(String key, long maxBytes) {
    Path file = resolve(key);
    try {
      long size = Files.size(file);
      if (size > maxBytes) {
        throw new io.shardyfusion.errors.ObjectTooLargeException(url(key), size, maxBytes);
      }
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failure("read", key, e);
    }
  }

  @Override
  public void download(String key, Path target) {
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
      Files.copy(resolve(key), target, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      throw new ObjectNotFoundException(url(key));
    } catch (IOException e) {
      throw failure("read", key, e);
    }
  }

  @Override
  public List<ObjectInfo> list(String keyPrefix) {
    // Walk from the deepest directory the prefix names; the rest filters by string prefix.
    int slash = keyPrefix.lastIndexOf('/');
    Path start = slash < 0 ? root : resolve(keyPrefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<ObjectInfo> out = new ArrayList<>();
    try {
      // Not Files.walk: its stream throws UncheckedIOException when an entry vanishes between
      // the directory read and the stat, which concurrent writers' temp files do all the time.
      Files.walkFileTree(start, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
          String key = root.relativize(p).toString().replace('\\', '/');
          if (attrs.isRegularFile() && key.startsWith(keyPrefix) && !key.endsWith(TMP_SUFFIX)) {
            out.add(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE; // deleted or renamed while listing: not there
          }
          throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          if (e != null && !(e instanceof NoSuchFileException)) {
            throw e;
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      return List.of(); // the start directory itself went away
    } catch (IOException e) {
      throw failure("list", keyPrefix, e);
    }
    out.sort(Comparator.comparing(ObjectInfo::key));
    return out;
  }

  @Override
  public void delete(String key) {
    try {
      Path p = resolve(key);
      Files.deleteIfExists(p);
      pruneEmptyParents(p.getParent());
    } catch (IOException e) {
      throw failure("delete", key, e);
    }
  }

  @Override
  public void close() {}

  private void pruneEmptyParents(Path dir) {
    while (dir != null && dir.startsWith(root) && !dir.equals(root)) {
      try {
        Files.delete(dir);
      } catch (IOException e) {
        return; // not empty, or raced with a writer: leave it
      }
      dir = dir.getParent();
    }
  }

  @FunctionalInterface
  private interface TempWriter {
    void write(Path tmp) throws IOException;
  }

  /**
   * Writes through a temporary sibling and renames it into place. A concurrent {@link #delete} of
   * the directory's last object prunes the (then empty) directory between our createDirectories
   * and the write; that shows up as NoSuchFileException on the temp file, and the directory is
   * simply created again. Once the temp file exists the directory is not empty and stays.
   */
  private static void writeIntoPlace(Path target, TempWriter writer) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling(
          "." + target.getFileName() + "." + UUID.randomUUID() + TMP_SUFFIX);
      try {
        writer.write(tmp);
      } catch (NoSuchFileException e) {
        if (attempt >= 5 || Files.isDirectory(target.getParent())) {
          throw e;
        }
        continue;
      }
      moveIntoPlace(tmp, target);
      return;
    }
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private StorageException failure(String op, String key, IOException e) {
    boolean retryable = !(e instanceof AccessDeniedException)
        && !(e instanceof FileSystemException && e.getMessage() != null
            && e.getMessage().contains("Read-only"));
    String hint = e instanceof AccessDeniedException
        ? "; check the directory's permissions" : "";
    return new StorageException("cannot " + op + " " + url(key) + ": " + e + hint, retryable, e);
  }
}
