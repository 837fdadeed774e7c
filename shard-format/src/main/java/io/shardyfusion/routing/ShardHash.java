package io.shardyfusion.routing;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The one hash every writer, reader and CEL's {@code shard_hash()} use: XXH3-64 with seed 0 over
 * {@link CanonicalKeys canonical bytes}. Backed by hash4j, whose XXH3 matches the reference
 * implementation (checked against python-xxhash vectors in the tests).
 */
public final class ShardHash {
  /** The only algorithm manifests name today. */
  public static final String XXH3_64 = "xxh3_64";

  private static final Hasher64 XXH3 = Hashing.xxh3_64();

  private ShardHash() {}

  /** Digest of an integer key; the same as hashing its 8 little-endian bytes. */
  public static long digest(long key) {
    return XXH3.hashLongToLong(key);
  }

  public static long digest(String key) {
    return XXH3.hashBytesToLong(key.getBytes(StandardCharsets.UTF_8));
  }

  public static long digest(byte[] key) {
    return XXH3.hashBytesToLong(key);
  }

  /** Digest of a normalized key ({@code Long}, {@code String} or {@code byte[]}). */
  public static long digest(Object key) {
    if (key instanceof Long || key instanceof Integer) {
      return digest(((Number) key).longValue());
    }
    return XXH3.hashBytesToLong(CanonicalKeys.canonicalBytes(key));
  }

  /** {@code digest} as an unsigned number, modulo {@code numDbs}. */
  public static int shardOf(long digest, int numDbs) {
    return (int) Long.remainderUnsigned(digest, numDbs);
  }
}
