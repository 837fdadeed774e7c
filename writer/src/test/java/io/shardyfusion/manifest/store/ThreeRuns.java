package io.shardyfusion.manifest.store;

import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

/** Publishes runs r1, r2, r3 (10, 20, 30 rows) to a file:// prefix with the real writer. */
public final class ThreeRuns {
  public static final String[] RUN_IDS = {"r1", "r2", "r3"};
  public static final long[] ROWS = {10, 20, 30};

  private ThreeRuns() {}

  public static List<BuildResult> write(Path storeDir, Path tempDir) {
    return List.of(write(storeDir, tempDir, 0), write(storeDir, tempDir, 1),
        write(storeDir, tempDir, 2));
  }

  public static BuildResult write(Path storeDir, Path tempDir, int i) {
    return writeRun(storeDir, tempDir, RUN_IDS[i], ROWS[i]);
  }

  public static BuildResult writeRun(Path storeDir, Path tempDir, String runId, long rows) {
    WriteConfig cfg = WriteConfig.builder().numDbs(4).s3Prefix(storeDir.toUri().toString())
        .tempDir(tempDir).runId(runId).build();
    List<Long> keys = LongStream.range(0, rows).boxed().toList();
    return SnapshotWriter.writeSharded(keys, cfg, k -> k,
        k -> (runId + ":" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
  }
}
