package io.shardyfusion.transforms;

import io.shardyfusion.writer.WriteConfig;
import java.nio.ByteBuffer;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;

/**
 * The child JVM of {@link ShardedWriteBoundedHeapTest}: a Direct-runner write of {@code rows}
 * rows with 100-byte values, made from 10k-row chunks so that no input bundle is large (the
 * Direct runner holds a whole bundle in heap; ShardedWrite's own heap is what is measured).
 * Arguments: output URL, temp directory, rows. Exits 0 when the job is done.
 */
final class BoundedHeapDirectWrite {
  static final int CHUNK = 10_000;
  static final int VALUE_BYTES = 100;

  private BoundedHeapDirectWrite() {}

  static byte[] value(long k) {
    byte[] v = new byte[VALUE_BYTES];
    ByteBuffer.wrap(v).putLong(k * 31).putLong(k);
    return v;
  }

  public static void main(String[] args) {
    String output = args[0];
    long rows = Long.parseLong(args[2]);
    WriteConfig config = WriteConfig.builder().numDbs(4).s3Prefix(output)
        .tempDir(Paths.get(args[1])).build();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner",
        "--targetParallelism=2").create());
    List<Long> chunks = LongStream.range(0, (rows + CHUNK - 1) / CHUNK).boxed().toList();
    p.apply(Create.of(chunks)).apply(Reshuffle.viaRandomKey())
        .apply(ParDo.of(new DoFn<Long, Long>() {
          @ProcessElement
          public void process(@Element Long chunk, OutputReceiver<Long> out) {
            for (long k = chunk * CHUNK; k < Math.min(rows, (chunk + 1) * CHUNK); k++) {
              out.output(k);
            }
          }
        }))
        .apply(ShardedWrite.<Long>to(config).withKeyFn(k -> k)
            .withValueFn(BoundedHeapDirectWrite::value).withSortBufferBytes(16 << 20));
    PipelineResult.State state = p.run().waitUntilFinish();
    System.exit(state == PipelineResult.State.DONE ? 0 : 1);
  }
}
