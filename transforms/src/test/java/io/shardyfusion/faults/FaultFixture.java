package io.shardyfusion.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3FaultProxy;
import io.shardyfusion.testing.S3FaultProxy.Rule;
import io.shardyfusion.testing.S3FaultProxy.Times;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The fault tests' world: one bucket on the shared S3Proxy, a {@link S3FaultProxy} in front of
 * it, small data, short SDK backoffs. Checks go straight to the server, never through faults.
 */
final class FaultFixture implements AutoCloseable {
  /** SDK attempts per request (the retry budget): faults on the first 2 pass, 3 fail. */
  static final int MAX_ATTEMPTS = 3;
  static final int NUM_DBS = 2;
  static final List<Long> KEYS = LongStream.range(0, 90).boxed().toList();

  final S3ProxyServer s3;
  final S3FaultProxy proxy;
  final String bucket;
  private final Path tmp;
  private final java.util.Map<String, ShardedReader> checkers = new java.util.HashMap<>();

  FaultFixture(S3ProxyServer s3, String bucketPrefix) {
    this.s3 = s3;
    this.proxy = S3FaultProxy.start(s3.endpointUri());
    this.bucket = s3.createUniqueBucket(bucketPrefix);
    try {
      this.tmp = Files.createTempDirectory("faults-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Generation {@code gen}'s value of {@code key}: every write changes every value. */
  static byte[] value(long key, int gen) {
    return ("g" + gen + "-" + key).getBytes(StandardCharsets.UTF_8);
  }

  String prefix(String path) {
    return "s3://" + bucket + "/" + path;
  }

  StaticCredentialProvider credentials() {
    return new StaticCredentialProvider(s3.accessKey(), s3.secretKey());
  }

  /**
   * Through the proxy (or not), {@link #MAX_ATTEMPTS} attempts, backoffs of a few ms, and
   * the short read timeout when {@code fault} is {@link FaultKind#TIMEOUT}.
   */
  S3ConnectionOptions options(boolean viaProxy, FaultKind fault) {
    return S3ConnectionOptions.builder()
        .endpointUrl(viaProxy ? proxy.endpoint() : s3.endpoint())
        .addressingStyle("path").region(s3.region())
        .maxAttempts(MAX_ATTEMPTS)
        .retryBaseDelay(Duration.ofMillis(5)).throttledRetryBaseDelay(Duration.ofMillis(5))
        .socketTimeout(fault == FaultKind.TIMEOUT ? FaultKind.TIMEOUT_READ
            : Duration.ofSeconds(20))
        .build();
  }

  WriteConfig.Builder config(String path, boolean viaProxy, FaultKind fault) {
    return WriteConfig.builder().numDbs(NUM_DBS).s3Prefix(prefix(path))
        .credentialProvider(credentials()).s3ConnectionOptions(options(viaProxy, fault))
        .tempDir(dir("build"));
  }

  ReaderConfig.Builder reader(String path, boolean viaProxy, FaultKind fault) {
    return ReaderConfig.builder().s3Prefix(prefix(path)).localRoot(dir("reader"))
        .credentialProvider(credentials()).s3ConnectionOptions(options(viaProxy, fault));
  }

  /** A fresh directory under this fixture's temp root. */
  Path dir(String name) {
    try {
      return Files.createTempDirectory(tmp, name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ObjectStore store(String path) {
    return ObjectStores.open(prefix(path), options(false, null), credentials());
  }

  /** The manifest {@code _CURRENT} names, read straight from the server; null if none. */
  String currentRef(String path) {
    try (ObjectStore store = store(path)) {
      return new ObjectStoreManifestStore(store).loadCurrent().map(CurrentPointer::manifestRef)
          .orElse(null);
    }
  }

  void setCurrent(String path, String ref) {
    try (ObjectStore store = store(path)) {
      new ObjectStoreManifestStore(store).setCurrent(ref);
    }
  }

  /** Attempt directories of {@code runId} on the server (db=NNNNN/attempt=A), sorted. */
  Set<String> attemptDirs(String path, String runId) {
    try (ObjectStore store = store(path)) {
      return store.list(SnapshotLayout.runShardsPrefix(runId)).stream().map(ObjectInfo::key)
          .map(k -> k.substring(0, k.lastIndexOf('/')))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /**
   * Reads every key of the snapshot {@code _CURRENT} names, through a reader straight to the
   * server (one per path, refreshed, so unchanged shards are not downloaded again): the
   * number of keys missing or not of generation {@code gen}.
   */
  long lostKeys(String path, int gen) {
    ShardedReader reader = checkers.get(path);
    if (reader == null) {
      reader = ShardedReader.open(reader(path, false, null).build());
      checkers.put(path, reader);
    } else {
      reader.refresh();
    }
    return lostKeys(reader, gen);
  }

  /** Keys {@code reader} does not serve with generation {@code gen}'s value. */
  static long lostKeys(ShardedReader reader, int gen) {
    long lost = 0;
    for (long k : KEYS) {
      if (!Arrays.equals(reader.get(k), value(k, gen))) {
        lost++;
      }
    }
    if (reader.snapshotInfo().totalRows() != KEYS.size()) {
      lost += Math.abs(reader.snapshotInfo().totalRows() - KEYS.size());
    }
    return lost;
  }

  Rule arm(RequestKind request, FaultKind fault, Times times, String runFilter,
      String listPrefix) {
    return proxy.inject(request.match(runFilter, listPrefix), fault.fault(), times);
  }

  /** The {@link ShardyfusionException} in {@code t}'s cause chain (Beam wraps ours). */
  static ShardyfusionException ours(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ShardyfusionException s) {
        return s;
      }
    }
    throw new AssertionError("no ShardyfusionException in the cause chain of " + t, t);
  }

  /** Asserts {@code t} is (or wraps) a retryable error of ours naming the problem. */
  static void assertRetryable(Throwable t) {
    assertThat(t).as("the operation should have failed").isNotNull();
    ShardyfusionException e = ours(t);
    assertThat(e.retryable()).as("retryable: " + e.getMessage()).isTrue();
    assertThat(e.getMessage()).isNotBlank();
  }

  @Override
  public void close() {
    checkers.values().forEach(ShardedReader::close);
    proxy.close();
    io.shardyfusion.testing.DirectPipelines.deleteWhenDone(tmp);
  }
}
