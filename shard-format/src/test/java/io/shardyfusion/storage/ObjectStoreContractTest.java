package io.shardyfusion.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link ObjectStore} contract, run against every implementation: each subclass supplies a
 * fresh, empty store per test.
 */
abstract class ObjectStoreContractTest {
  @TempDir
  Path tmp;

  ObjectStore store;

  /** A new store rooted at an empty prefix. */
  abstract ObjectStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void putThenGetReturnsTheSameBytes() {
    byte[] data = randomBytes(1, 10_000);
    store.put("dir/obj.bin", data, "application/octet-stream");
    store.put("empty", new byte[0], "application/octet-stream");

    assertThat(store.get("dir/obj.bin")).isEqualTo(data);
    assertThat(store.getIfExists("dir/obj.bin")).hasValueSatisfying(v ->
        assertThat(v).isEqualTo(data));
    assertThat(store.get("empty")).isEmpty();
  }

  @Test
  void boundedGetRefusesALargerObjectBeforeReadingIt() {
    byte[] data = randomBytes(2, 100_000);
    store.put("big.bin", data, "application/octet-stream");
    assertThat(store.getIfExists("big.bin", 100_000)).hasValueSatisfying(v ->
        assertThat(v).isEqualTo(data));
    assertThatThrownBy(() -> store.getIfExists("big.bin", 99_999))
        .isInstanceOf(io.shardyfusion.errors.ObjectTooLargeException.class)
        .hasMessageContaining(store.url("big.bin"))
        .hasMessageContaining("100000 bytes")
        .satisfies(e -> assertThat(((StorageException) e).retryable()).isFalse());
    assertThat(store.getIfExists("nope/missing", 10)).isEmpty();
    // the store still answers after a refused read (the S3 body was aborted, not leaked)
    assertThat(store.getIfExists("big.bin", 1 << 20)).isPresent();
  }

  @Test
  void missingKeyIsEmptyForGetIfExistsAndNotFoundForGet() {
    assertThat(store.getIfExists("nope/missing")).isEmpty();
    assertThatThrownBy(() -> store.get("nope/missing"))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining(store.url("nope/missing"))
        .satisfies(e -> assertThat(((StorageException) e).retryable()).isFalse());
  }

  @Test
  void putOverwritesAnExistingKey() {
    store.put("k", "old".getBytes(UTF_8), "text/plain");
    store.put("k", "new".getBytes(UTF_8), "text/plain");
    assertThat(new String(store.get("k"), UTF_8)).isEqualTo("new");
  }

  @Test
  void listReturnsKeysRelativeToThePrefixInOrder() {
    for (String k : List.of("b/2", "a/10", "ab", "a/1", "c")) {
      store.put(k, k.getBytes(UTF_8), "text/plain");
    }
    assertThat(keys(store.list(""))).containsExactly("a/1", "a/10", "ab", "b/2", "c");
    assertThat(keys(store.list("a/"))).containsExactly("a/1", "a/10");
    assertThat(keys(store.list("a"))).containsExactly("a/1", "a/10", "ab");
    assertThat(store.list("zzz")).isEmpty();
    assertThat(store.list("a/10")).extracting(ObjectInfo::key, ObjectInfo::size)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a/10", 4L));
    assertThat(store.list("a/10").get(0).lastModified()).isNotNull();
  }

  @Test
  void deleteRemovesTheKeyAndIgnoresMissingKeys() {
    store.put("x/y", new byte[] {1}, "application/octet-stream");
    store.put("x/z", new byte[] {2}, "application/octet-stream");
    store.delete("x/y");
    store.delete("x/y");
    store.delete("never/existed");
    assertThat(store.getIfExists("x/y")).isEmpty();
    assertThat(keys(store.list(""))).containsExactly("x/z");
  }

  @Test
  void deleteAllRemovesExactlyTheGivenKeys() {
    List<String> doomed = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      doomed.add("shards/" + i);
      store.put("shards/" + i, new byte[] {(byte) i}, "application/octet-stream");
    }
    store.put("keep", new byte[] {9}, "application/octet-stream");
    doomed.add("shards/missing");

    store.deleteAll(doomed);

    assertThat(keys(store.list(""))).containsExactly("keep");
  }

  @Test
  void putFileThenDownloadRoundTripsAndReplacesTheTarget() throws Exception {
    Path src = tmp.resolve("src.bin");
    byte[] data = randomBytes(2, 300_000);
    Files.write(src, data);
    store.putFile("files/src.bin", src);

    Path target = tmp.resolve("out/nested/dst.bin");
    Files.createDirectories(target.getParent());
    Files.write(target, "stale".getBytes(UTF_8));
    store.download("files/src.bin", target);

    assertThat(Files.readAllBytes(target)).isEqualTo(data);
    // No temp files left next to the target.
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("dst.bin");
    }
  }

  @Test
  void downloadCreatesMissingParentDirectories() throws Exception {
    store.put("a", "x".getBytes(UTF_8), "text/plain");
    Path target = tmp.resolve("fresh/dir/a");
    store.download("a", target);
    assertThat(Files.readString(target)).isEqualTo("x");
  }

  @Test
  void downloadOfAMissingKeyThrowsNotFoundAndWritesNothing() throws Exception {
    Path target = tmp.resolve("dl/missing.bin");
    assertThatThrownBy(() -> store.download("missing.bin", target))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining(store.url("missing.bin"));
    assertThat(target).doesNotExist();
    if (Files.isDirectory(target.getParent())) {
      try (Stream<Path> left = Files.list(target.getParent())) {
        assertThat(left).isEmpty();
      }
    }
  }

  @Test
  void urlAndKeyOfAreInverse() {
    assertThat(store.url("manifests/m1")).isEqualTo(store.baseUrl() + "/manifests/m1");
    assertThat(store.keyOf(store.url("manifests/m1"))).isEqualTo("manifests/m1");
    assertThat(store.baseUrl()).doesNotEndWith("/");
    // A URL outside the prefix is a bad reference, not a passing fault: never retryable.
    assertThatThrownBy(() -> store.keyOf("s3://elsewhere/x"))
        .isInstanceOfSatisfying(io.shardyfusion.errors.StorageException.class,
            e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("s3://elsewhere/x is not under " + store.baseUrl());
  }

  @Test
  void emptyKeyIsRejected() {
    assertThatThrownBy(() -> store.put("", new byte[] {1}, "application/octet-stream"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("''");
  }

  /**
   * A reader polling a key while a writer replaces it must always see one complete version:
   * that is what lets {@code _CURRENT} be replaced in place.
   */
  @Test
  void overwriteIsAtomicForReaders() throws Exception {
    int size = 512 * 1024;
    byte[] a = filled((byte) 'a', size);
    byte[] b = filled((byte) 'b', size);
    store.put("_CURRENT", a, "application/octet-stream");
    int writes = 20;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // The writer waits for the reader's first read, so that (even on a loaded machine) the
      // reads overlap the writes instead of all running after them, or none at all.
      CountDownLatch readerStarted = new CountDownLatch(1);
      Future<?> writer = pool.submit(() -> {
        readerStarted.await();
        for (int i = 0; i < writes; i++) {
          store.put("_CURRENT", i % 2 == 0 ? b : a, "application/octet-stream");
        }
        return null;
      });
      Future<List<byte[]>> reader = pool.submit(() -> {
        List<byte[]> seen = new ArrayList<>();
        do {
          seen.add(store.get("_CURRENT"));
          readerStarted.countDown();
        } while (!writer.isDone());
        return seen;
      });
      writer.get(60, TimeUnit.SECONDS);
      List<byte[]> seen = reader.get(60, TimeUnit.SECONDS);
      assertThat(seen).isNotEmpty();
      for (byte[] v : seen) {
        assertThat(Arrays.equals(v, a) || Arrays.equals(v, b))
            .as("a read saw %d bytes that are neither the old nor the new object", v.length)
            .isTrue();
      }
      // The last write (i = 19, odd) put a.
      assertThat(store.get("_CURRENT")).isEqualTo(a);
    } finally {
      pool.shutdownNow();
    }
  }

  static List<String> keys(List<ObjectInfo> infos) {
    return infos.stream().map(ObjectInfo::key).collect(Collectors.toList());
  }

  static byte[] randomBytes(long seed, int n) {
    byte[] out = new byte[n];
    new Random(seed).nextBytes(out);
    return out;
  }

  private static byte[] filled(byte value, int n) {
    byte[] out = new byte[n];
    Arrays.fill(out, value);
    return out;
  }
}
