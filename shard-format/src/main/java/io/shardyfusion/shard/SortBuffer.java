package io.shardyfusion.shard;

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
  private static final int HEADER = 8; // key length + value length, 4 bytes each
  private static final int INDEX_BYTES_PER_RECORD = 8 + 4 + 4 + 4;

  private final byte[] arena;
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
    int arenaBytes = (int) Math.min(Integer.MAX_VALUE - 16, capacityBytes * 4 / 5);
    this.arena = new byte[arenaBytes];
    int initial = 1024;
    prefix = new long[initial];
    offset = new int[initial];
    shard = new int[initial];
    keyLen = new int[initial];
  }

  /** Whether a record of this size fits on its own in an empty buffer of this capacity. */
  boolean canEverHold(int keyLength, int valueLength) {
    return (long) HEADER + keyLength + valueLength <= arena.length;
  }

  /**
   * Appends a record; false when it does not fit (the caller spills and retries).
   */
  boolean add(int shardId, byte[] key, byte[] value) {
    int need = HEADER + key.length + value.length;
    if (arenaUsed + need > arena.length
        || arenaUsed + (long) (count + 1) * INDEX_BYTES_PER_RECORD > capacityBytes) {
      return false;
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

  void sort() {
    Arrays.quickSort(0, count, this::compare, this::swap);
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
