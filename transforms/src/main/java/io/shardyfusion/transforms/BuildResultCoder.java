package io.shardyfusion.transforms;

import static io.shardyfusion.transforms.WriterCoders.INT;
import static io.shardyfusion.transforms.WriterCoders.LONG;
import static io.shardyfusion.transforms.WriterCoders.SHARD_META;
import static io.shardyfusion.transforms.WriterCoders.STRING;

import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.BuildStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;

/** Beam coder of a {@link BuildResult}, field by field (no Java serialization). */
public final class BuildResultCoder extends AtomicCoder<BuildResult> {
  private static final long serialVersionUID = 1L;
  private static final BuildResultCoder INSTANCE = new BuildResultCoder();
  private static final Coder<List<ShardMeta>> WINNERS = ListCoder.of(SHARD_META);

  private BuildResultCoder() {}

  public static BuildResultCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(BuildResult r, OutputStream out) throws IOException {
    STRING.encode(r.runId(), out);
    WINNERS.encode(r.winners(), out);
    STRING.encode(r.manifestRef(), out);
    BuildStats s = r.stats();
    LONG.encode(s.rowsWritten(), out);
    LONG.encode(s.bytesWritten(), out);
    INT.encode(s.numDbs(), out);
    INT.encode(s.numWinners(), out);
    INT.encode(s.numAttemptResults(), out);
    LONG.encode(s.shardingMs(), out);
    LONG.encode(s.writeMs(), out);
    LONG.encode(s.manifestMs(), out);
    LONG.encode(s.totalMs(), out);
  }

  @Override
  public BuildResult decode(InputStream in) throws IOException {
    String runId = STRING.decode(in);
    List<ShardMeta> winners = WINNERS.decode(in);
    String manifestRef = STRING.decode(in);
    BuildStats stats = BuildStats.builder().rowsWritten(LONG.decode(in))
        .bytesWritten(LONG.decode(in)).numDbs(INT.decode(in)).numWinners(INT.decode(in))
        .numAttemptResults(INT.decode(in)).shardingMs(LONG.decode(in))
        .writeMs(LONG.decode(in)).manifestMs(LONG.decode(in)).totalMs(LONG.decode(in))
        .build();
    return new BuildResult(runId, winners, manifestRef, stats);
  }
}
