package io.shardyfusion.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests and bytes that go through a store: what a write or a refresh costs on a
 * pay-per-request object store, counted rather than estimated. Thread-safe.
 *
 * <p>Request counts are logical (one per call, one per key deleted); a multipart upload of a
 * large file is counted as one PUT.
 */
public final class CountingObjectStore implements ObjectStore {
  private final ObjectStore inner;
  private final Counts counts;

  /** Shared, cumulative counters (one set may serve several stores). */
  public static final class Counts {
    final LongAdder puts = new LongAdder();
    final LongAdder putBytes = new LongAdder();
    final LongAdder gets = new LongAdder();
    final LongAdder getBytes = new LongAdder();
    final LongAdder lists = new LongAdder();
    final LongAdder deletes = new LongAdder();

    public Snapshot snapshot() {
      return new Snapshot(puts.sum(), putBytes.sum(), gets.sum(), getBytes.sum(), lists.sum(),
          deletes.sum());
    }
  }

  /** Counter values at one moment; subtract two to get what happened in between. */
  public record Snapshot(long puts, long putBytes, long gets, long getBytes, long lists,
      long deletes) {
    public Snapshot minus(Snapshot o) {
      return new Snapshot(puts - o.puts, putBytes - o.putBytes, gets - o.gets,
          getBytes - o.getBytes, lists - o.lists, deletes - o.deletes);
    }
  }

  public CountingObjectStore(ObjectStore inner, Counts counts) {
    this.inner = inner;
    this.counts = counts;
  }

  @Override
  public String baseUrl() {
    return inner.baseUrl();
  }

  @Override
  public long requestRetries() {
    return inner.requestRetries();
  }

  @Override
  public void put(String key, byte[] data, String contentType) {
    inner.put(key, data, contentType);
    counts.puts.increment();
    counts.putBytes.add(data.length);
  }

  @Override
  public void putFile(String key, Path file) {
    inner.putFile(key, file);
    counts.puts.increment();
    counts.putBytes.add(sizeOf(file));
  }

  @Override
  public byte[] get(String key) {
    counts.gets.increment();
    byte[] data = inner.get(key);
    counts.getBytes.add(data.length);
    return data;
  }

  @Override
  public Optional<byte[]> getIfExists(String key) {
    counts.gets.increment();
    Optional<byte[]> data = inner.getIfExists(key);
    data.ifPresent(d -> counts.getBytes.add(d.length));
    return data;
  }

  @Override
  public Optional<byte[]> getIfExists(String key, long maxBytes) {
    counts.gets.increment();
    Optional<byte[]> data = inner.getIfExists(key, maxBytes);
    data.ifPresent(d -> counts.getBytes.add(d.length));
    return data;
  }

  @Override
  public void download(String key, Path target) {
    counts.gets.increment();
    inner.download(key, target);
    counts.getBytes.add(sizeOf(target));
  }

  @Override
  public List<ObjectInfo> list(String keyPrefix) {
    List<ObjectInfo> out = inner.list(keyPrefix);
    // A listing pages through 1000 keys per request on S3.
    counts.lists.add(Math.max(1, (out.size() + 999) / 1000));
    return out;
  }

  @Override
  public void delete(String key) {
    inner.delete(key);
    counts.deletes.increment();
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    inner.deleteAll(keys);
    counts.deletes.add(keys.size());
  }

  @Override
  public void close() {
    inner.close();
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
