package io.shardyfusion.writer.sort;

import it.unimi.dsi.fastutil.Arrays;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A fixed-capacity, in-heap buffer of (shard id, key, value) records that sorts by shard id, then
 * by key in unsigned byte order.
 *
 * <p>Records are packed into one byte arena so that a buffer of N bytes costs N bytes plus 20
 * bytes of index per record, and never one object per record. Sorting compares a cached 8-byte
 * big-endian key prefix first (which decides the common case of keys up to 8 bytes without
 * touching the arena) and swaps only the index arrays.
 */
final class SortBuffer {
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int RADIX_BITS = 11;
  private static final int RADIX = 1 << RADIX_BITS;
  private static final int RADIX_MASK = RADIX - 1;
  private static final int HEADER = 8; // key length + value length, 4 bytes each
  private static final int INITIAL_ARENA = 1 << 20;
  // 20 bytes of index kept per record, plus 32 more while sort() runs.
  private static final int INDEX_BYTES_PER_RECORD = 8 + 4 + 4 + 4 + 32;

  /** Grows (doubling) up to {@link #arenaLimit}: a small bundle never pays for a big buffer. */
  private byte[] arena;
  private final int arenaLimit;
  private int arenaUsed;
  private int count;
  private long[] prefix;
  private int[] offset;
  private int[] shard;
  private int[] keyLen;
  private final long capacityBytes;

  /** @param capacityBytes arena plus index bytes this buffer may hold */
  SortBuffer(long capacityBytes) {
    this.capacityBytes = capacityBytes;
    this.arenaLimit = (int) Math.min(Integer.MAX_VALUE - 16, capacityBytes * 7 / 10);
    this.arena = new byte[Math.min(arenaLimit, INITIAL_ARENA)];
    int initial = 1024;
    prefix = new long[initial];
    offset = new int[initial];
    shard = new int[initial];
    keyLen = new int[initial];
  }

  /** Whether a record of this size fits on its own in an empty buffer of this capacity. */
  boolean canEverHold(int keyLength, int valueLength) {
    return (long) HEADER + keyLength + valueLength <= arenaLimit;
  }

  /**
   * Appends a record; false when it does not fit (the caller spills and retries).
   */
  boolean add(int shardId, byte[] key, byte[] value) {
    int need = HEADER + key.length + value.length;
    if ((long) arenaUsed + need > arenaLimit
        || arenaUsed + (long) (count + 1) * INDEX_BYTES_PER_RECORD > capacityBytes) {
      return false;
    }
    if (arenaUsed + need > arena.length) {
      arena = java.util.Arrays.copyOf(arena, (int) Math.min(arenaLimit,
          Math.max(2L * arena.length, (long) arenaUsed + need)));
    }
    if (count == prefix.length) {
      grow();
    }
    int at = arenaUsed;
    putInt(at, key.length);
    putInt(at + 4, value.length);
    System.arraycopy(key, 0, arena, at + HEADER, key.length);
    System.arraycopy(value, 0, arena, at + HEADER + key.length, value.length);
    arenaUsed += need;
    prefix[count] = prefixOf(key);
    offset[count] = at;
    shard[count] = shardId;
    keyLen[count] = key.length;
    count++;
    return true;
  }

  int size() {
    return count;
  }

  boolean isEmpty() {
    return count == 0;
  }

  long bytesUsed() {
    return arenaUsed;
  }

  /**
   * Sorts by (shard id, key). An LSD radix sort over the shard id and the 8-byte prefix does
   * almost all the work in a few sequential passes (skipping digits every record shares, such
   * as the high bytes of small integer keys); only runs of records whose prefixes tie and whose
   * keys are longer than 8 bytes, or differ in length, are then finished with comparisons.
   */
  void sort() {
    int n = count;
    if (n < 2) {
      return;
    }
    long[] p = prefix;
    int[] sh = shard;
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    long[] p2 = new long[n];
    int[] sh2 = new int[n];
    int[] idx2 = new int[n];
    int[] counts = new int[RADIX + 1];
    // 6 passes of 11 bits over the prefix, then 2 over the shard id (< 65536,
    // WriteConfig.MAX_NUM_DBS); passes where every record has the same digit are skipped.
    for (int pass = 0; pass < 8; pass++) {
      java.util.Arrays.fill(counts, 0);
      boolean onShard = pass >= 6;
      int shift = onShard ? (pass - 6) * RADIX_BITS : pass * RADIX_BITS;
      for (int i = 0; i < n; i++) {
        int d = onShard ? (sh[i] >>> shift) & RADIX_MASK : (int) (p[i] >>> shift) & RADIX_MASK;
        counts[d + 1]++;
      }
      if (maxBucket(counts) == n) {
        continue; // every record has this digit: the pass would not move anything
      }
      for (int d = 0; d < RADIX; d++) {
        counts[d + 1] += counts[d];
      }
      for (int i = 0; i < n; i++) {
        int d = onShard ? (sh[i] >>> shift) & RADIX_MASK : (int) (p[i] >>> shift) & RADIX_MASK;
        int to = counts[d]++;
        p2[to] = p[i];
        sh2[to] = sh[i];
        idx2[to] = idx[i];
      }
      long[] tp = p;
      p = p2;
      p2 = tp;
      int[] ts = sh;
      sh = sh2;
      sh2 = ts;
      int[] ti = idx;
      idx = idx2;
      idx2 = ti;
    }
    // Reorder the remaining per-record arrays by the permutation; reuse the spare arrays.
    int[] off2 = idx2;
    int[] kl2 = sh2 == shard ? new int[n] : sh2;
    for (int i = 0; i < n; i++) {
      off2[i] = offset[idx[i]];
      kl2[i] = keyLen[idx[i]];
    }
    System.arraycopy(p, 0, prefix, 0, n);
    System.arraycopy(sh, 0, shard, 0, n);
    System.arraycopy(off2, 0, offset, 0, n);
    System.arraycopy(kl2, 0, keyLen, 0, n);
    finishTies(n);
  }

  private static int maxBucket(int[] counts) {
    int max = 0;
    for (int c : counts) {
      max = Math.max(max, c);
    }
    return max;
  }

  /** Orders records whose shard and 8-byte prefix tie, by the full key. */
  private void finishTies(int n) {
    int start = 0;
    while (start < n) {
      int end = start + 1;
      boolean needsCompare = keyLen[start] > 8;
      while (end < n && shard[end] == shard[start] && prefix[end] == prefix[start]) {
        needsCompare |= keyLen[end] > 8 || keyLen[end] != keyLen[start];
        end++;
      }
      if (end - start > 1 && needsCompare) {
        Arrays.quickSort(start, end, this::compare, this::swap);
      }
      start = end;
    }
  }

  void clear() {
    arenaUsed = 0;
    count = 0;
  }

  int shardAt(int i) {
    return shard[i];
  }

  int keyLengthAt(int i) {
    return keyLen[i];
  }

  int valueLengthAt(int i) {
    return getInt(offset[i] + 4);
  }

  /** Copies of the key and value of record {@code i} (in sorted order after {@link #sort}). */
  byte[] keyAt(int i) {
    int at = offset[i] + HEADER;
    return java.util.Arrays.copyOfRange(arena, at, at + keyLen[i]);
  }

  byte[] valueAt(int i) {
    int at = offset[i] + HEADER + keyLen[i];
    return java.util.Arrays.copyOfRange(arena, at, at + valueLengthAt(i));
  }

  /** The arena and the offset of record {@code i}'s header, for writing it out without copies. */
  byte[] arena() {
    return arena;
  }

  int recordOffset(int i) {
    return offset[i];
  }

  int recordLength(int i) {
    return HEADER + keyLen[i] + valueLengthAt(i);
  }

  private int compare(int a, int b) {
    int c = Integer.compare(shard[a], shard[b]);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(prefix[a], prefix[b]);
    if (c != 0 || (keyLen[a] <= 8 && keyLen[b] <= 8)) {
      // Equal prefixes of keys no longer than 8 bytes: shorter key sorts first.
      return c != 0 ? c : Integer.compare(keyLen[a], keyLen[b]);
    }
    int oa = offset[a] + HEADER;
    int ob = offset[b] + HEADER;
    return java.util.Arrays.compareUnsigned(arena, oa, oa + keyLen[a], arena, ob, ob + keyLen[b]);
  }

  private void swap(int a, int b) {
    long p = prefix[a];
    prefix[a] = prefix[b];
    prefix[b] = p;
    int t = offset[a];
    offset[a] = offset[b];
    offset[b] = t;
    t = shard[a];
    shard[a] = shard[b];
    shard[b] = t;
    t = keyLen[a];
    keyLen[a] = keyLen[b];
    keyLen[b] = t;
  }

  private void grow() {
    int n = prefix.length * 2;
    prefix = java.util.Arrays.copyOf(prefix, n);
    offset = java.util.Arrays.copyOf(offset, n);
    shard = java.util.Arrays.copyOf(shard, n);
    keyLen = java.util.Arrays.copyOf(keyLen, n);
  }

  /** First 8 key bytes as a big-endian number, zero-padded: orders like the bytes do. */
  static long prefixOf(byte[] key) {
    if (key.length >= 8) {
      return (long) LONG_BE.get(key, 0);
    }
    long p = 0;
    int n = Math.min(8, key.length);
    for (int i = 0; i < n; i++) {
      p |= (key[i] & 0xFFL) << (56 - 8 * i);
    }
    return p;
  }

  private void putInt(int at, int v) {
    INT_BE.set(arena, at, v);
  }

  private int getInt(int at) {
    return (int) INT_BE.get(arena, at);
  }

  @Override
  public String toString() {
    return "SortBuffer{records=" + count + ", bytes=" + arenaUsed + "/" + arena.length + "}";
  }
}
