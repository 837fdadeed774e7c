package io.shardyfusion.runners;

import io.shardyfusion.bench.BenchData;
import io.shardyfusion.bench.Memory;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.bench.RawRocksDb;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code bin/shardy-runner-bench}: ShardedWrite rows/s on Flink (embedded, parallelism 2),
 * Spark (local[2]) and Direct, wall clock including job start, beside the in-process writer
 * and raw {@code SstFileWriter} measured in the same run. Rows are generated inside each
 * pipeline ({@code GenerateSequence} + {@link GeneratedRows}): 8-byte keys in random order.
 *
 * <p>Arguments ({@code --name=value}): {@code rows} (10000000), {@code numDbs} (8), {@code
 * valueBytes} (100), {@code modes} (raw,in-process,flink,spark,direct), {@code directRows}
 * (1000000: the Direct runner materialises each group in heap), {@code sortBufferMb} (256: per
 * shard task, so a 1.25M-row shard sorts without spilling; 64, ShardedWrite's default, costs
 * Flink and Spark about a quarter of their rate here), {@code flinkArgs} ("--objectReuse=true")
 * and {@code sparkArgs} (extra pipeline options, space separated), {@code dir} (work
 * directory).
 */
public final class RunnerBench {
  private RunnerBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>(Map.of("rows", "10000000", "numDbs", "8",
        "valueBytes", "100", "modes", "raw,in-process,flink,spark,direct",
        "directRows", "1000000", "sortBufferMb", "256", "flinkArgs", "--objectReuse=true", "sparkArgs", "",
        "store", "file"));
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("arguments are --name=value, got " + arg);
      }
      String name = arg.substring(2, arg.indexOf('='));
      if (!a.containsKey(name) && !name.equals("dir")) {
        throw new IllegalArgumentException("unknown argument --" + name + "; known: "
            + a.keySet() + " and dir");
      }
      a.put(name, arg.substring(arg.indexOf('=') + 1));
    }
    long rows = Long.parseLong(a.get("rows"));
    int numDbs = Integer.parseInt(a.get("numDbs"));
    int valueBytes = Integer.parseInt(a.get("valueBytes"));
    long directRows = Long.parseLong(a.get("directRows"));
    List<String> modes = List.of(a.get("modes").split(","));
    int sortBufferMb = Integer.parseInt(a.get("sortBufferMb"));
    String[] flinkArgs = extra(a.get("flinkArgs"));
    String[] sparkArgs = extra(a.get("sparkArgs"));
    Path work = a.containsKey("dir") ? Paths.get(a.get("dir"))
        : Files.createTempDirectory("shardy-runner-bench");
    System.out.printf("# runner benchmark: %,d rows (Direct: %,d), %d-byte values, 8-byte keys,"
        + " %d shards, %d cores, heap max %d MiB, sort buffer %d MiB per shard task%n", rows,
        directRows, valueBytes, numDbs, Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, sortBufferMb);
    System.out.printf("%-34s %12s %12s %9s %8s %10s %10s%n", "mode", "rows", "rows/s",
        "seconds", "x raw", "heap MiB", "RSS MiB");
    double raw = Double.NaN;
    S3ProxyServer s3 = a.get("store").equals("s3") ? S3ProxyServer.start() : null;
    try {
    for (String mode : modes) {
      Path dir = work.resolve(mode);
      deleteTree(dir);
      Files.createDirectories(dir);
      String prefix = s3 == null || mode.equals("raw") ? dir.resolve("store").toUri().toString()
          : "s3://" + s3.createUniqueBucket(mode) + "/snapshot";
      WriteConfig.Builder cb = WriteConfig.builder().numDbs(numDbs).s3Prefix(prefix)
          .tempDir(dir.resolve("tmp"));
      if (s3 != null) {
        cb.s3ConnectionOptions(S3ConnectionOptions.builder().endpointUrl(s3.endpoint())
            .addressingStyle("path").region(s3.region()).build())
            .credentialProvider(new StaticCredentialProvider(s3.accessKey(), s3.secretKey()));
      }
      WriteConfig config = cb.build();
      Memory.resetPeaks();
      long n = mode.equals("direct") ? Math.min(rows, directRows) : rows;
      long t0 = System.nanoTime();
      String label;
      switch (mode) {
        case "raw" -> {
          label = "raw SstFileWriter (sorted keys)";
          RawRocksDb.sstFileWriterRate(dir.resolve("raw.sst"), n, valueBytes);
        }
        case "in-process" -> {
          label = "in-process SnapshotWriter, parallel";
          byte[] value = new byte[valueBytes];
          BuildResult r = SnapshotWriter.writeSharded(BenchData.keys(n), config, k -> k,
              k -> BenchData.value(k, value), WriteOptions.defaults().withParallel(true)
                  .withSortBufferBytes((long) sortBufferMb << 20));
          check(r.stats().rowsWritten() == n, "in-process wrote " + r.stats().rowsWritten());
        }
        case "flink" -> {
          label = "ShardedWrite Flink [local] p=2";
          run(config, n, valueBytes, sortBufferMb, concat(flinkArgs, "--runner=FlinkRunner",
              "--flinkMaster=[local]", "--parallelism=2"));
        }
        case "spark" -> {
          label = "ShardedWrite Spark local[2]";
          run(config, n, valueBytes, sortBufferMb, concat(sparkArgs, "--runner=SparkRunner",
              "--sparkMaster=local[2]", "--preferGroupByKeyToHandleHugeValues=true",
              "--enableSparkMetricSinks=false"));
        }
        case "direct" -> {
          label = "ShardedWrite Direct";
          run(config, n, valueBytes, sortBufferMb, "--runner=DirectRunner",
              "--targetParallelism=2");
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      double rate = n / secs;
      if (mode.equals("raw")) {
        raw = rate;
      }
      System.out.printf("%-34s %,12d %,12.0f %9.2f %8.2f %10d %10d%n", label, n, rate, secs,
          rate / raw, Memory.peakHeapMiB(), Memory.peakRssMiB());
      if (!mode.equals("raw") && s3 == null) {
        int bad = GenerateSnapshotJob.verify(prefix, n, valueBytes, 2000);
        check(bad == 0, mode + ": " + bad + " problems reading back");
      }
      deleteTree(dir);
    }
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }

  private static String[] extra(String spaceSeparated) {
    return spaceSeparated.isBlank() ? new String[0] : spaceSeparated.trim().split("\\s+");
  }

  private static String[] concat(String[] extra, String... base) {
    String[] out = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, out, base.length, extra.length);
    return out;
  }

  private static void run(WriteConfig config, long rows, int valueBytes, int sortBufferMb,
      String... args) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).withValidation().create());
    GenerateSnapshotJob.addWrite(p, config, rows, valueBytes, sortBufferMb);
    PipelineResult.State state = p.run().waitUntilFinish();
    check(state == PipelineResult.State.DONE, "job ended in state " + state);
  }



  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
