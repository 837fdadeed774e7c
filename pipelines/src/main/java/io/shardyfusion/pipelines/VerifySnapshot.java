package io.shardyfusion.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a published snapshot back the way a service would and checks it against its JSONL
 * input: the first, middle and last records are found with their own key field, and a key not
 * in the input is not. Used by {@code bin/shardy demo} after the Beam job; exits non-zero on
 * any mismatch.
 *
 * <pre>java ... VerifySnapshot PREFIX INPUT.jsonl KEY_FIELD LOCAL_ROOT</pre>
 */
public final class VerifySnapshot {
  private static final ObjectMapper JSON = new ObjectMapper();

  private VerifySnapshot() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: VerifySnapshot PREFIX INPUT.jsonl KEY_FIELD LOCAL_ROOT");
      System.exit(2);
    }
    System.exit(verify(args[0], Path.of(args[1]), args[2], Path.of(args[3])));
  }

  static int verify(String prefix, Path input, String keyField, Path localRoot)
      throws IOException {
    List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank()).toList();
    int failures = 0;
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(localRoot).build())) {
      long maxKey = Long.MIN_VALUE;
      for (int i : new int[] {0, lines.size() / 2, lines.size() - 1}) {
        JsonNode record = JSON.readTree(lines.get(i));
        long key = record.get(keyField).asLong();
        maxKey = Math.max(maxKey, key);
        byte[] value = reader.get(key);
        JsonNode stored = value == null ? null : JSON.readTree(value);
        boolean ok = stored != null && stored.equals(record);
        failures += ok ? 0 : 1;
        System.out.printf("line %d: get(%d) -> %s%n", i + 1, key,
            ok ? "the record, as written" : "MISMATCH: " + stored);
      }
      long absent = Long.MAX_VALUE - 1;
      boolean none = reader.get(absent) == null;
      failures += none ? 0 : 1;
      System.out.printf("get(%d) -> %s%n", absent, none ? "null, as expected" : "MISMATCH");
      SnapshotInfo info = reader.snapshotInfo();
      System.out.printf("snapshot %s: %d rows in %d shards (%s), manifest %s%n", info.runId(),
          info.totalRows(), info.numDbs(), info.sharding(), info.manifestRef());
      if (info.totalRows() != lines.size()) {
        System.out.printf("MISMATCH: %d input lines, %d rows published%n", lines.size(),
            info.totalRows());
        failures++;
      }
    }
    System.out.println(failures == 0 ? "OK: the snapshot reads back as written"
        : "FAILED: " + failures + " mismatches");
    return failures == 0 ? 0 : 1;
  }
}
