package io.shardyfusion.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Deterministic benchmark data (also used by the runners module's benchmark and tests), generated as it is consumed, so a 10M-row input costs no
 * heap: key {@code i} is a bijective scramble of {@code i} (distinct, random order, 0..2^63-1),
 * its value is {@code valueSize} pseudo-random bytes derived from the key.
 */
public final class BenchData {
  private static final long MASK63 = Long.MAX_VALUE;
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private BenchData() {}

  /** A distinct key for every i in 0..2^63-1: odd multiply and xorshift are bijections. */
  public static long key(long i) {
    long x = (i * 0x9E3779B97F4A7C15L) & MASK63;
    x ^= x >>> 29;
    x = (x * 0xBF58476D1CE4E5B9L) & MASK63;
    x ^= x >>> 32;
    return x;
  }

  /** {@code size} bytes derived from the key. */
  public static byte[] value(long key, int size) {
    return value(key, new byte[size]);
  }

  /** Fills {@code out} with bytes derived from the key (a splitmix64 stream). */
  public static byte[] value(long key, byte[] out) {
    long s = key;
    int i = 0;
    for (; i + 8 <= out.length; i += 8) {
      s += 0x9E3779B97F4A7C15L;
      LONG_LE.set(out, i, mix(s));
    }
    long tail = mix(s + 0x9E3779B97F4A7C15L);
    for (; i < out.length; i++) {
      out[i] = (byte) tail;
      tail >>>= 8;
    }
    return out;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Keys {@code key(0) .. key(rows-1)}, generated lazily. */
  public static Iterable<Long> keys(long rows) {
    return () -> new Iterator<>() {
      private long i;

      @Override
      public boolean hasNext() {
        return i < rows;
      }

      @Override
      public Long next() {
        if (i >= rows) {
          throw new NoSuchElementException();
        }
        return key(i++);
      }
    };
  }
}
