package io.shardyfusion.records;

import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one check that a published snapshot reads back as written, the way a service reads it:
 * each expected key returns exactly the bytes written (or nothing, for a key that must be
 * absent), the snapshot is the run just written, and it holds the expected number of rows. Used
 * by {@code shardy demo}, the example ({@code shardy-example}) and the benchmark jobs.
 */
public final class SnapshotVerifier {
  /** How {@link #absentKey} starts a string key. */
  public static final String ABSENT_PREFIX = "no-such-key-";

  private SnapshotVerifier() {}

  /**
   * One key to look up.
   *
   * @param label where the key comes from, for messages (e.g. "line 3"); null for a key that is
   *     not in the input
   * @param key the key, as {@link KeyEncoding#normalize} returns it
   * @param value the bytes written for it; null when the key must be absent
   */
  public record Expected(String label, Object key, byte[] value) {}

  /** One lookup made: what was expected and what the reader returned. */
  public record Lookup(Expected expected, byte[] actual) {
    public boolean matches() {
      return Arrays.equals(expected.value(), actual);
    }

    /** Why it does not match, or null when it does. */
    public String problem() {
      if (matches()) {
        return null;
      }
      Expected e = expected;
      return e.value() == null
          ? "key " + describeKey(e.key()) + " is not in the input but the reader returned "
              + describeValue(actual)
          : "key " + describeKey(e.key()) + (e.label() == null ? "" : " (" + e.label() + ")")
              + " was written as " + describeValue(e.value()) + " but the reader returned "
              + describeValue(actual);
    }
  }

  /**
   * What the check found.
   *
   * @param problems every mismatch, one sentence each; empty when the snapshot is as written
   */
  public record Report(SnapshotInfo info, List<Lookup> lookups, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Looks every expected key up and checks the row count (when {@code expectedRows >= 0}) and
   * the run id (when {@code expectedRunId} is not null).
   */
  public static Report verify(ShardedReader reader, List<Expected> expected, long expectedRows,
      String expectedRunId) {
    SnapshotInfo info = reader.snapshotInfo();
    List<String> problems = new ArrayList<>();
    if (expectedRunId != null && !info.runId().equals(expectedRunId)) {
      problems.add("the reader opened run " + info.runId() + ", not the run just written ("
          + expectedRunId + "); did another writer publish there meanwhile?");
    }
    List<Lookup> lookups = new ArrayList<>();
    for (Expected e : expected) {
      Lookup l = new Lookup(e, reader.get(e.key()));
      lookups.add(l);
      if (!l.matches()) {
        problems.add(l.problem());
      }
    }
    if (expectedRows >= 0 && info.totalRows() != expectedRows) {
      problems.add("the snapshot holds " + info.totalRows() + " rows, the input "
          + expectedRows);
    }
    return new Report(info, List.copyOf(lookups), List.copyOf(problems));
  }

  /**
   * One input key and the routing context it was written with (the CEL columns' values; empty
   * for hash or key-only CEL routing).
   */
  public record RoutedKey(Object key, Map<String, ?> routingContext) {
    public RoutedKey(Object key) {
      this(key, Map.of());
    }
  }

  /**
   * Routes every input key with the manifest's own sharding (its strategy, CEL expression,
   * boundaries or routing values, and shard count) and compares what each shard must then
   * hold with the row count the manifest records for it: the check that a runner (or cluster)
   * wrote every record to the shard readers will look it up in.
   *
   * <pre>{@code
   * List<String> problems = SnapshotVerifier.shardCountProblems(reader.manifest(),
   *     LongStream.range(0, rows).mapToObj(RoutedKey::new).toList());
   * }</pre>
   *
   * @return one sentence per shard whose count differs; empty when all match
   */
  public static List<String> shardCountProblems(Manifest manifest, Iterable<RoutedKey> keys) {
    KeyEncoding encoding = manifest.keyEncoding();
    ShardRouter router = ShardRouters.create(manifest.shardingSpec(), manifest.numDbs(),
        encoding);
    Map<Integer, Long> expected = new TreeMap<>();
    for (RoutedKey k : keys) {
      int db = router.route(encoding.normalize(k.key()), k.routingContext());
      expected.merge(db, 1L, Long::sum);
    }
    Map<Integer, Long> actual = new TreeMap<>();
    for (ShardMeta shard : manifest.shards()) {
      if (shard.rowCount() > 0) {
        actual.put(shard.dbId(), shard.rowCount());
      }
    }
    List<String> problems = new ArrayList<>();
    for (int db = 0; db < manifest.numDbs(); db++) {
      long want = expected.getOrDefault(db, 0L);
      long got = actual.getOrDefault(db, 0L);
      if (want != got) {
        problems.add("shard " + db + " holds " + got + " rows but routing sends it " + want);
      }
    }
    return problems;
  }

  /**
   * A key of {@code encoding} that is in no record, given the integer key range seen
   * ({@code minKey..maxKey}, ignored for string encodings), or for string encodings one built
   * from the run id that {@code taken} (string keys seen in the input) does not hold; null when
   * none is easy to find.
   */
  public static Object absentKey(KeyEncoding encoding, long rows, long minKey, long maxKey,
      String runId, java.util.function.Predicate<String> taken) {
    if (encoding.isInteger()) {
      if (rows == 0) {
        return 0L;
      }
      long max = encoding == KeyEncoding.U64BE ? Long.MAX_VALUE : 0xFFFF_FFFFL;
      if (maxKey < max) {
        return maxKey + 1;
      }
      return minKey > 0 ? minKey - 1 : null;
    }
    String candidate = ABSENT_PREFIX + runId;
    while (taken.test(candidate)) {
      candidate = candidate + "-";
    }
    return encoding == KeyEncoding.RAW ? candidate.getBytes(StandardCharsets.UTF_8) : candidate;
  }

  /** A key for messages: the number, or the string quoted. */
  public static String describeKey(Object key) {
    return key instanceof byte[] b ? "\"" + new String(b, StandardCharsets.UTF_8) + "\""
        : key instanceof String s ? "\"" + s + "\"" : String.valueOf(key);
  }

  /** A value for messages: its text (cut at 80 characters), or that the key is absent. */
  public static String describeValue(byte[] value) {
    if (value == null) {
      return "nothing (key absent)";
    }
    String s = new String(value, StandardCharsets.UTF_8);
    return "'" + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + "'";
  }
}
