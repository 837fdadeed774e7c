package io.shardyfusion.transforms;

import static io.shardyfusion.transforms.WriterCoders.FILES;
import static io.shardyfusion.transforms.WriterCoders.INT;
import static io.shardyfusion.transforms.WriterCoders.KEY;
import static io.shardyfusion.transforms.WriterCoders.LONG;
import static io.shardyfusion.transforms.WriterCoders.NULLABLE_STRING;
import static io.shardyfusion.transforms.WriterCoders.STRING;

import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.writer.publish.ShardAttempt;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;

/** Beam coder of a {@link ShardAttempt}, field by field (deterministic, no Java serialization). */
public final class ShardAttemptCoder extends AtomicCoder<ShardAttempt> {
  private static final long serialVersionUID = 1L;
  private static final ShardAttemptCoder INSTANCE = new ShardAttemptCoder();

  private ShardAttemptCoder() {}

  public static ShardAttemptCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ShardAttempt a, OutputStream out) throws IOException {
    INT.encode(a.dbId(), out);
    STRING.encode(a.attempt(), out);
    STRING.encode(a.dbUrl(), out);
    LONG.encode(a.rowCount(), out);
    LONG.encode(a.dbBytes(), out);
    LONG.encode(a.recordBytes(), out);
    KEY.encode(a.minKey(), out);
    KEY.encode(a.maxKey(), out);
    FILES.encode(a.files(), out);
    NULLABLE_STRING.encode(a.writer(), out);
    NULLABLE_STRING.encode(a.host(), out);
    LONG.encode(a.durationMs(), out);
    NULLABLE_STRING.encode(a.contentHash(), out);
  }

  @Override
  public ShardAttempt decode(InputStream in) throws IOException {
    int dbId = INT.decode(in);
    String attempt = STRING.decode(in);
    String dbUrl = STRING.decode(in);
    long rows = LONG.decode(in);
    long dbBytes = LONG.decode(in);
    long recordBytes = LONG.decode(in);
    Object minKey = KEY.decode(in);
    Object maxKey = KEY.decode(in);
    List<ShardFile> files = FILES.decode(in);
    String writer = NULLABLE_STRING.decode(in);
    String host = NULLABLE_STRING.decode(in);
    long durationMs = LONG.decode(in);
    return new ShardAttempt(dbId, attempt, dbUrl, rows, dbBytes, recordBytes, minKey, maxKey,
        files, writer, host, durationMs, NULLABLE_STRING.decode(in));
  }
}
