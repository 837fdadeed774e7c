package io.shardyfusion.storage;

import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

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
      Path tmp = tempSibling(target);
      Files.write(tmp, data);
      moveIntoPlace(tmp, target);
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
      Path tmp = tempSibling(target);
      try {
        Files.createLink(tmp, file);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING); // another file system
      }
      moveIntoPlace(tmp, target);
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
    try (Stream<Path> walk = Files.walk(start)) {
      walk.filter(Files::isRegularFile).forEach(p -> {
        String key = root.relativize(p).toString().replace('\\', '/');
        if (key.startsWith(keyPrefix) && !key.endsWith(TMP_SUFFIX)) {
          try {
            out.add(new ObjectInfo(key, Files.size(p),
                Files.getLastModifiedTime(p).toInstant()));
          } catch (IOException e) {
            // Deleted while listing: it is gone, which is what a listing after the delete says.
          }
        }
      });
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

  private static Path tempSibling(Path target) throws IOException {
    Files.createDirectories(target.getParent());
    return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + TMP_SUFFIX);
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
