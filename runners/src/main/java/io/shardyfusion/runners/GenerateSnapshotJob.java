package io.shardyfusion.runners;

import io.shardyfusion.bench.BenchData;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.records.SnapshotVerifier;
import io.shardyfusion.transforms.ShardedWrite;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;

/**
 * Writes a deterministic generated snapshot ({@code --rows} rows, 8-byte keys, {@code
 * --valueBytes}-byte values, made inside the pipeline by {@link GenerateSequence} and {@link
 * GeneratedRows}) with {@link ShardedWrite}, on whatever runner {@code --runner} names, then
 * reads a sample back through {@link ShardedReader}. For smoke tests of a cluster and for
 * benchmarks:
 *
 * <pre>
 * java $(cat jvm-options) -cp ... io.shardyfusion.runners.GenerateSnapshotJob \
 *     --runner=FlinkRunner --flinkMaster=127.0.0.1:8081 --parallelism=2 \
 *     --output=file:///tmp/snap --rows=1000000 --numDbs=8
 * java ... --runner=SparkRunner --sparkMaster=spark://127.0.0.1:7077 \
 *     --preferGroupByKeyToHandleHugeValues=true --output=file:///tmp/snap ...
 * </pre>
 *
 * <p>Prints one line {@code RESULT runner=... rows=... seconds=... rows_per_s=...} (wall
 * clock including job start) and exits non-zero if the read-back finds a wrong value.
 */
public final class GenerateSnapshotJob {
  private GenerateSnapshotJob() {}

  /** The job's options; every runner's options are accepted beside them. */
  public interface Options extends PipelineOptions {
    @Description("Snapshot prefix: file:///dir or s3://bucket/path")
    @Validation.Required
    String getOutput();

    void setOutput(String value);

    @Description("Rows to generate")
    @Default.Long(1_000_000L)
    long getRows();

    void setRows(long value);

    @Description("Shards")
    @Default.Integer(8)
    int getNumDbs();

    void setNumDbs(int value);

    @Description("Bytes per value")
    @Default.Integer(100)
    int getValueBytes();

    void setValueBytes(int value);

    @Description("Worker-local directory for sort spills and shard builds (default: java.io.tmpdir)")
    String getShardTempDir();

    void setShardTempDir(String value);

    @Description("Heap for one shard's sort buffer on a worker, MiB (ShardedWrite default 64)")
    @Default.Integer(64)
    int getSortBufferMb();

    void setSortBufferMb(int value);

    @Description("Send sorted runs through the runner's shuffle even on an embedded runner "
        + "(Flink [local], Spark local[N]), which otherwise passes them as files")
    @Default.Boolean(false)
    boolean getRunsThroughShuffle();

    void setRunsThroughShuffle(boolean value);

    @Description("Keys to read back and check after the job (0: none)")
    @Default.Integer(10_000)
    int getVerifySample();

    void setVerifySample(int value);
  }

  public static void main(String[] args) throws Exception {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    long rows = options.getRows();
    long t0 = System.nanoTime();
    Pipeline p = Pipeline.create(options);
    addWrite(p, config(options), rows, options.getValueBytes(), options.getSortBufferMb(),
        options.getRunsThroughShuffle());
    PipelineResult.State state = p.run().waitUntilFinish();
    double secs = (System.nanoTime() - t0) / 1e9;
    if (state != PipelineResult.State.DONE) {
      System.err.println("job ended in state " + state);
      System.exit(1);
    }
    System.out.printf("RESULT runner=%s rows=%d numDbs=%d seconds=%.2f rows_per_s=%.0f%n",
        options.getRunner().getSimpleName(), rows, options.getNumDbs(), secs, rows / secs);
    int bad = verify(options.getOutput(), rows, options.getValueBytes(),
        options.getVerifySample());
    if (bad != 0) {
      System.exit(3);
    }
  }

  /** The snapshot the options describe. */
  public static WriteConfig config(Options options) {
    WriteConfig.Builder b = WriteConfig.builder().numDbs(options.getNumDbs())
        .s3Prefix(options.getOutput());
    if (options.getShardTempDir() != null) {
      b.tempDir(Paths.get(options.getShardTempDir()));
    }
    return b.build();
  }

  /** Adds generate → {@link ShardedWrite} to {@code p}. */
  public static void addWrite(Pipeline p, WriteConfig config, long rows, int valueBytes) {
    addWrite(p, config, rows, valueBytes, 64, false);
  }

  /**
   * Adds generate → {@link ShardedWrite} with a {@code sortBufferMb} MiB sort buffer, the runs
   * through the shuffle if {@code runsThroughShuffle} (see {@link
   * ShardedWrite#withRunsThroughShuffle}).
   */
  public static void addWrite(Pipeline p, WriteConfig config, long rows, int valueBytes,
      int sortBufferMb, boolean runsThroughShuffle) {
    ShardedWrite<Long> write = ShardedWrite.<Long>to(config)
        .withKeyFn(i -> BenchData.key(i))
        .withValueFn(i -> BenchData.value(BenchData.key(i), valueBytes))
        .withSortBufferBytes((long) sortBufferMb << 20);
    p.apply("Generate", GenerateSequence.from(0).to(rows))
        .apply("ShardedWrite", runsThroughShuffle ? write.withRunsThroughShuffle() : write);
  }

  /**
   * Reads {@code sample} evenly spread keys back and checks the row total; prints a line and
   * returns the number of problems.
   */
  public static int verify(String prefix, long rows, int valueBytes, int sample)
      throws Exception {
    if (sample <= 0) {
      return 0;
    }
    Path local = Files.createTempDirectory("shardy-verify");
    int bad;
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(local).build())) {
      List<SnapshotVerifier.Expected> expected = new ArrayList<>();
      long step = Math.max(1, rows / sample);
      for (long i = 0; i < rows && expected.size() < sample; i += step) {
        long key = BenchData.key(i);
        expected.add(new SnapshotVerifier.Expected("row " + i, key,
            BenchData.value(key, valueBytes)));
      }
      SnapshotVerifier.Report report = SnapshotVerifier.verify(reader, expected, rows, null);
      long total = report.info().totalRows();
      if (total != rows) {
        System.out.printf("VERIFY manifest has %d rows, expected %d%n", total, rows);
      }
      bad = report.problems().size();
      System.out.printf("VERIFY checked %d keys, %d problems, %d rows in %d shards%n",
          expected.size(), bad, total, reader.manifest().shards().size());
    } finally {
      try (var walk = Files.walk(local)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    return bad;
  }
}
