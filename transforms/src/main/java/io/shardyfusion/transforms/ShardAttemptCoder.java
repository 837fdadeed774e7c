package io.shardyfusion.transforms;

import static io.shardyfusion.transforms.WriterCoders.LONG;
import static io.shardyfusion.transforms.WriterCoders.SHARD_META;

import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.writer.publish.ShardAttempt;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * Beam coder of a {@link ShardAttempt}, field by field (no Java serialization): its record
 * bytes, then the attempt as the manifest will list it ({@link ShardAttempt#toShardMeta()},
 * which keeps every other field).
 */
public final class ShardAttemptCoder extends AtomicCoder<ShardAttempt> {
  private static final long serialVersionUID = 1L;
  private static final ShardAttemptCoder INSTANCE = new ShardAttemptCoder();

  private ShardAttemptCoder() {}

  public static ShardAttemptCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ShardAttempt a, OutputStream out) throws IOException {
    LONG.encode(a.recordBytes(), out);
    SHARD_META.encode(a.toShardMeta(), out);
  }

  @Override
  public ShardAttempt decode(InputStream in) throws IOException {
    long recordBytes = LONG.decode(in);
    ShardMeta m = SHARD_META.decode(in);
    ShardMeta.WriterInfo w = m.writerInfo();
    return new ShardAttempt(m.dbId(), m.attempt(), m.dbUrl(), m.rowCount(), m.dbBytes(),
        recordBytes, m.minKey(), m.maxKey(), m.files(), w.writer(), w.host(), w.durationMs(),
        m.contentHash(), m.checkpointId());
  }
}
