package io.shardyfusion.reader;

import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The crash tests' phase seam, installed in a child process with {@code
 * ObjectStores.instrument}: a store that passes every request through, except that at one
 * chosen request (the n-th matching one) it prints {@code PHASE <name> <key>} on stdout and
 * blocks reading stdin, so that the test kills the process exactly there. No writer or reader
 * code knows about it: the phases are the store requests each step of the protocol makes.
 */
final class PausingObjectStore implements ObjectStore {
  /** Which request to stop at. */
  enum Phase {
    /** Before the n-th shard file upload: some shards are up, the others not. */
    UPLOAD,
    /** Before the {@code _CURRENT} PUT: the manifest is written, the pointer is not. */
    POINTER,
    /** Before the run record's PUT that says the run succeeded: the pointer already moved. */
    RECORD,
    /** Before deleting losing attempts (a DELETE under {@code shards/}) after publishing. */
    LOSERS,
    /** In the n-th shard download, after writing half of its bytes (reader side). */
    DOWNLOAD,
    /** Never pause. */
    NONE
  }

  private static final BufferedReader STDIN =
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

  private final ObjectStore inner;
  private final Phase phase;
  private final int nth;
  private final AtomicInteger matches;

  /** @param matches counted across every store the JVM opens (the writer opens several) */
  PausingObjectStore(ObjectStore inner, Phase phase, int nth, AtomicInteger matches) {
    this.inner = inner;
    this.phase = phase;
    this.nth = nth;
    this.matches = matches;
  }

  private void maybePause(Phase at, String key) {
    if (at == phase && matches.incrementAndGet() == nth) {
      pause(at, key);
    }
  }

  /** Announces the phase and blocks until a line arrives on stdin (the test kills instead). */
  static void pause(Phase at, String key) {
    System.out.println("PHASE " + at + " " + key);
    System.out.flush();
    try {
      STDIN.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String baseUrl() {
    return inner.baseUrl();
  }

  @Override
  public void put(String key, byte[] data, String contentType) {
    if (key.equals(io.shardyfusion.layout.SnapshotLayout.CURRENT)) {
      maybePause(Phase.POINTER, key);
    } else if (key.endsWith("run.yaml")
        && new String(data, StandardCharsets.UTF_8).contains("\"succeeded\"")) {
      maybePause(Phase.RECORD, key);
    }
    inner.put(key, data, contentType);
  }

  @Override
  public void putFile(String key, Path file) {
    if (key.startsWith("shards/")) {
      maybePause(Phase.UPLOAD, key);
    }
    inner.putFile(key, file);
  }

  @Override
  public byte[] get(String key) {
    return inner.get(key);
  }

  @Override
  public Optional<byte[]> getIfExists(String key) {
    return inner.getIfExists(key);
  }

  @Override
  public void download(String key, Path target) {
    inner.download(key, target);
    if (phase == Phase.DOWNLOAD && key.startsWith("shards/")
        && matches.incrementAndGet() == nth) {
      // What a process killed mid-download leaves: the first half of the bytes.
      try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
        ch.truncate(ch.size() / 2);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      pause(Phase.DOWNLOAD, target.toString());
    }
  }

  @Override
  public List<ObjectInfo> list(String keyPrefix) {
    return inner.list(keyPrefix);
  }

  @Override
  public void delete(String key) {
    if (key.startsWith("shards/")) {
      maybePause(Phase.LOSERS, key);
    }
    inner.delete(key);
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    if (!keys.isEmpty() && keys.iterator().next().startsWith("shards/")) {
      maybePause(Phase.LOSERS, keys.iterator().next());
    }
    inner.deleteAll(keys);
  }

  @Override
  public void close() {
    inner.close();
  }
}
