package io.shardyfusion.transforms;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.VarInt;

/**
 * Codes a {@link SortedRun} as bytes, never through Java serialization: a tag byte, the run's
 * bundle id (8 bytes) and sequence number, its record count, then either the block (varint
 * length, raw bytes: one copy each way) or the file segment (path, offset, length). The same
 * bytes in either context, so it is safe inside {@code KvCoder} and iterables.
 */
final class SortedRunCoder extends AtomicCoder<SortedRun> {
  private static final long serialVersionUID = 1L;
  private static final SortedRunCoder INSTANCE = new SortedRunCoder();
  private static final int BLOCK = 0;
  private static final int FILE = 1;

  static SortedRunCoder of() {
    return INSTANCE;
  }

  private SortedRunCoder() {}

  @Override
  public void encode(SortedRun run, OutputStream out) throws IOException {
    out.write(run.isFileSegment() ? FILE : BLOCK);
    new DataOutputStream(out).writeLong(run.id().bundle());
    VarInt.encode(run.id().seq(), out);
    VarInt.encode(run.records(), out);
    if (run.isFileSegment()) {
      StringUtf8Coder.of().encode(run.file(), out);
      VarInt.encode(run.offset(), out);
      VarInt.encode(run.length(), out);
    } else {
      VarInt.encode(run.block().length, out);
      out.write(run.block());
    }
  }

  @Override
  public SortedRun decode(InputStream in) throws IOException {
    int tag = in.read();
    DataInputStream data = new DataInputStream(in);
    long bundle = data.readLong();
    int seq = VarInt.decodeInt(in);
    int records = VarInt.decodeInt(in);
    if (tag == FILE) {
      String file = StringUtf8Coder.of().decode(in);
      return SortedRun.fileSegment(bundle, seq, records, file, VarInt.decodeLong(in),
          VarInt.decodeLong(in));
    }
    if (tag != BLOCK) {
      throw new CoderException("unknown sorted run tag " + tag);
    }
    int length = VarInt.decodeInt(in);
    if (length < 0) {
      throw new CoderException("negative sorted run length " + length);
    }
    byte[] block = new byte[length];
    data.readFully(block);
    return SortedRun.block(bundle, seq, records, block);
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }

  @Override
  public boolean isRegisterByteSizeObserverCheap(SortedRun run) {
    return true;
  }

  @Override
  protected long getEncodedElementByteSize(SortedRun run) throws Exception {
    return 1 + 8 + VarInt.getLength(run.id().seq()) + VarInt.getLength(run.records())
        + (run.isFileSegment()
            ? StringUtf8Coder.of().getEncodedElementByteSize(run.file())
                + VarInt.getLength(run.offset()) + VarInt.getLength(run.length())
            : VarInt.getLength(run.block().length) + run.block().length);
  }
}
