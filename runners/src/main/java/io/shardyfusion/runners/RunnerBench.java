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
 * pipeline by a DoFn from chunk ids (see {@link #addChunkedWrite}): 8-byte keys in random order.
 *
 * <p>Arguments ({@code --name=value}): {@code rows} (10000000), {@code numDbs} (8), {@code
 * valueBytes} (100), {@code modes} (raw,in-process,flink,spark,direct), {@code directRows}
 * (1000000, a comma list with {@code fork}), {@code sortBufferMb} (256: per
 * shard task, so a 1.25M-row shard sorts without spilling; 64, ShardedWrite's default, costs
 * Flink and Spark about a quarter of their rate here), {@code flinkArgs} ("--objectReuse=true")
 * and {@code sparkArgs} (extra pipeline options, space separated), {@code dir} (work
 * directory). {@code fork} (false): each mode and shard count in a JVM of its own, see
 * {@link #forkEachMode}; {@code childHeap}/{@code directHeap} its heap; {@code input}
 * (chunks or sequence) how the runners' rows are generated, see {@link #addChunkedWrite};
 * {@code runsThroughShuffle} (false) sends the sorted runs through the runner's shuffle as on
 * a cluster, instead of as run files, the embedded runners' default; {@code startRows} (0: off;
 * with {@code fork}) also runs each mode at that many rows, in its own JVM, and prints that
 * time ("start s") and the ratio of the rates past it, which is what grows with the input;
 * {@code directSortBufferMb} (64, ShardedWrite's default: the README's path) the Direct
 * runner's sort buffer. {@code cds} (false; with {@code fork}) gives every mode, the
 * in-process writer too, an AppCDS archive of its own (see {@link #forkEachMode}).
 */
public final class RunnerBench {
  private RunnerBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>(Map.of("rows", "10000000", "numDbs", "8",
        "valueBytes", "100", "modes", "raw,in-process,flink,spark,direct",
        "directRows", "1000000", "sortBufferMb", "256", "flinkArgs", "--objectReuse=true", "sparkArgs", "",
        "store", "file"));
    a.putAll(Map.of("fork", "false", "childHeap", "1536m", "directHeap", "1g",
        "input", "chunks", "child", "false", "directSortBufferMb", "64",
        "runsThroughShuffle", "false", "startRows", "0", "cds", "false"));
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
    if (Boolean.parseBoolean(a.get("fork")) && !Boolean.parseBoolean(a.get("child"))) {
      forkEachMode(a, args);
      return;
    }
    long rows = Long.parseLong(a.get("rows"));
    int numDbs = Integer.parseInt(a.get("numDbs"));
    boolean child = Boolean.parseBoolean(a.get("child"));
    String input = a.get("input");
    if (!input.equals("chunks") && !input.equals("sequence")) {
      throw new IllegalArgumentException("--input is chunks or sequence, got " + input);
    }
    boolean chunked = input.equals("chunks");
    boolean shuffle = Boolean.parseBoolean(a.get("runsThroughShuffle"));
    int valueBytes = Integer.parseInt(a.get("valueBytes"));
    long directRows = Long.parseLong(a.get("directRows"));
    List<String> modes = List.of(a.get("modes").split(","));
    int sortBufferMb = Integer.parseInt(a.get("sortBufferMb"));
    String[] flinkArgs = extra(a.get("flinkArgs"));
    String[] sparkArgs = extra(a.get("sparkArgs"));
    Path work = a.containsKey("dir") ? Paths.get(a.get("dir"))
        : Files.createTempDirectory("shardy-runner-bench");
    if (!child) {
      System.out.printf("# runner benchmark: %,d rows (Direct: %,d), %d-byte values, 8-byte keys,"
          + " %d shards, %d cores, heap max %d MiB, sort buffer %d MiB per shard task%n", rows,
          directRows, valueBytes, numDbs, Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() >> 20, sortBufferMb);
      System.out.printf("%-34s %12s %12s %9s %8s %10s %10s%n", "mode", "rows", "rows/s",
          "seconds", "x raw", "heap MiB", "RSS MiB");
    }
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
          label = "ShardedWrite Flink [local] p=2" + suffix(chunked, shuffle);
          run(config, n, valueBytes, sortBufferMb, chunked, shuffle, concat(flinkArgs, "--runner=FlinkRunner",
              "--flinkMaster=[local]", "--parallelism=2"));
        }
        case "spark" -> {
          label = "ShardedWrite Spark local[2]" + suffix(chunked, shuffle);
          run(config, n, valueBytes, sortBufferMb, chunked, shuffle, concat(sparkArgs, "--runner=SparkRunner",
              "--sparkMaster=local[2]", "--preferGroupByKeyToHandleHugeValues=true",
              "--enableSparkMetricSinks=false"));
        }
        case "direct" -> {
          label = "ShardedWrite Direct" + suffix(chunked, shuffle);
          int directMb = Integer.parseInt(a.get("directSortBufferMb"));
          run(config, n, valueBytes, directMb, chunked, shuffle, "--runner=DirectRunner",
              "--targetParallelism=2");
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      double rate = n / secs;
      if (mode.equals("raw")) {
        raw = rate;
      }
      if (child) {
        System.out.printf("BENCHROW %s|%d|%.3f|%d|%d%n", label, n, secs, Memory.peakHeapMiB(),
            Memory.peakRssMiB());
      } else {
        System.out.printf("%-34s %,12d %,12.0f %9.2f %8.2f %10d %10d%n", label, n, rate, secs,
            rate / raw, Memory.peakHeapMiB(), Memory.peakRssMiB());
      }
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

  /**
   * {@code --fork=true}: each mode (and each shard count of {@code --numDbs=8,64,256}) in a JVM
   * of its own, so that its peak RSS is its own (a JVM never returns a runner's classes and
   * arenas); Direct gets {@code --directHeap}, the rest {@code --childHeap}. Ratios are to the
   * in-process writer at the same shard count, measured in this run.
   *
   * <p>{@code --cds=true}: start-up is mostly class loading (Beam's options registry, the
   * runners), so each mode first runs once at 10k rows, untimed, writing an AppCDS archive of
   * the classes it loaded ({@code -XX:ArchiveClassesAtExit}), and its timed runs load them
   * from it ({@code -XX:SharedArchiveFile}). An archive holds classes from jars only, so the
   * children get class directories on the classpath as jars.
   */
  private static void forkEachMode(Map<String, String> a, String[] args) throws Exception {
    List<String> jvm = new java.util.ArrayList<>();
    for (String f : java.lang.management.ManagementFactory.getRuntimeMXBean()
        .getInputArguments()) {
      if (!f.startsWith("-Xmx") && !f.startsWith("-agentlib") && !f.startsWith("-javaagent")) {
        jvm.add(f);
      }
    }
    String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    boolean cds = Boolean.parseBoolean(a.get("cds"));
    Path cdsDir = null;
    if (cds) {
      cdsDir = Files.createTempDirectory("shardy-runner-bench-cds");
      cp = jarsOnly(cp, cdsDir);
    }
    List<String> modes = List.of(a.get("modes").split(","));
    System.out.printf("# runner benchmark, one JVM per mode: %s rows (Direct: %s), %s-byte values,"
        + " 8-byte keys, shards %s, %d cores, heap %s (Direct %s), sort buffer %s MiB%n",
        a.get("rows"), a.get("directRows"), a.get("valueBytes"), a.get("numDbs"),
        Runtime.getRuntime().availableProcessors(), a.get("childHeap"), a.get("directHeap"),
        a.get("sortBufferMb"));
    boolean starts = Long.parseLong(a.get("startRows")) > 0;
    if (cds) {
      System.out.println("# AppCDS: each mode loads its classes from an archive written by its"
          + " own untimed 10k-row run");
    }
    if (starts) {
      System.out.printf("# start s: the same mode at %s rows, in its own JVM (JVM, Beam and the "
          + "runner starting, job scheduling); past start: (rows - %s) / (seconds - start s)%n",
          a.get("startRows"), a.get("startRows"));
    }
    System.out.printf("%-40s %6s %12s %12s %9s %12s %10s %10s" + (starts ? " %8s %12s" : "")
        + "%n", "mode", "shards", "rows", "rows/s", "seconds", "x in-proc", "heap MiB", "RSS MiB",
        "start s", "x past start");
    Map<String, List<String>> jvmOf = new LinkedHashMap<>();
    for (String mode : modes) {
      List<String> flags = new java.util.ArrayList<>(jvm);
      if (cds) {
        Path archive = cdsDir.resolve(mode + ".jsa");
        List<String> dump = new java.util.ArrayList<>(jvm);
        dump.add("-XX:ArchiveClassesAtExit=" + archive);
        runChild(javaBin, dump, cp, args, a, mode, a.get("numDbs").split(",")[0], "10000");
        check(Files.isRegularFile(archive), "no AppCDS archive was written for " + mode);
        flags.add("-XX:SharedArchiveFile=" + archive);
      }
      jvmOf.put(mode, flags);
    }
    for (String numDbs : a.get("numDbs").split(",")) {
      double inProcess = Double.NaN;
      double inProcessPastStart = Double.NaN;
      for (String mode : modes) {
        if (mode.equals("direct") && !numDbs.equals(a.get("numDbs").split(",")[0])) {
          continue; // Direct at the first shard count only
        }
        for (String rows : mode.equals("direct") ? a.get("directRows").split(",")
            : new String[] {a.get("rows")}) {
          String row = runChild(javaBin, jvmOf.get(mode), cp, args, a, mode, numDbs, rows);
          String startRow = !starts ? null : runChild(javaBin, jvmOf.get(mode), cp, args, a,
              mode, numDbs, a.get("startRows"));
          String[] f = row.split("\\|");
          long n = Long.parseLong(f[1]);
          double secs = Double.parseDouble(f[2]);
          double rate = n / secs;
          double startSecs = Double.NaN;
          double pastStart = Double.NaN;
          if (startRow != null) {
            String[] s0 = startRow.split("\\|");
            startSecs = Double.parseDouble(s0[2]);
            pastStart = (n - Long.parseLong(s0[1])) / (secs - startSecs);
          }
          if (mode.equals("in-process")) {
            inProcess = rate;
            inProcessPastStart = pastStart;
          }
          System.out.printf("%-40s %6s %,12d %,12.0f %9.2f %12.2f %10s %10s" + (starts
              ? " %8.2f %12.2f" : "") + "%n", f[0], numDbs, n, rate, secs, rate / inProcess,
              f[3], f[4], startSecs, pastStart / inProcessPastStart);
        }
      }
    }
    if (cdsDir != null) {
      deleteTree(cdsDir); // about 100 MB per archive
    }
  }

  /**
   * {@code classpath} with each directory replaced by a jar of its files, written under
   * {@code dir}: an AppCDS archive refuses directories that are not empty.
   */
  private static String jarsOnly(String classpath, Path dir) throws java.io.IOException {
    List<String> out = new java.util.ArrayList<>();
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      Path p = Paths.get(entry);
      if (!Files.isDirectory(p)) {
        out.add(entry);
        continue;
      }
      Path jar = dir.resolve("classes-" + out.size() + ".jar");
      try (var zip = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
          Stream<Path> files = Files.walk(p)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
          zip.putNextEntry(new java.util.jar.JarEntry(
              p.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
          Files.copy(f, zip);
          zip.closeEntry();
        }
      }
      out.add(jar.toString());
    }
    return String.join(java.io.File.pathSeparator, out);
  }

  /** One child JVM running {@code mode} at {@code rows} rows; its BENCHROW line. */
  private static String runChild(String javaBin, List<String> jvm, String cp, String[] args,
      Map<String, String> a, String mode, String numDbs, String rows) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(javaBin, "-Xmx"
        + (mode.equals("direct") ? a.get("directHeap") : a.get("childHeap"))));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", cp, RunnerBench.class.getName()));
    for (String arg : args) {
      String name = arg.substring(2, arg.indexOf('='));
      if (!List.of("modes", "numDbs", "fork", "rows", "directRows", "startRows", "cds")
          .contains(name)) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("--child=true", "--modes=" + mode, "--numDbs=" + numDbs,
        "--rows=" + rows, "--directRows=" + rows));
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String row = null;
    StringBuilder tail = new StringBuilder();
    try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(
        proc.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.startsWith("BENCHROW ")) {
          row = line.substring(9);
        } else if (line.startsWith("VERIFY")) {
          System.out.println("  " + line);
        }
        tail.append(line).append('\n');
        if (tail.length() > 20_000) {
          tail.delete(0, tail.length() - 10_000);
        }
      }
    }
    int exit = proc.waitFor();
    if (exit != 0 || row == null) {
      System.out.println(tail);
      throw new IllegalStateException(mode + " at " + numDbs + " shards exited " + exit);
    }
    return row;
  }

  /**
   * Adds generate → ShardedWrite with the rows made by a DoFn from 10k-row chunk ids (spread by
   * a reshuffle), the way the snapshot build job reads its input (FileIO + a DoFn per file),
   * rather than by a {@code BoundedSource}: the Flink runner updates every Beam metric of the
   * task after each record a source reads (ReaderInvocationUtil.invokeAdvance), which at 10M
   * rows cost more than the whole ShardedWrite (profiled: 56 % of the task's samples), and the
   * Direct runner holds each source split, millions of rows, in heap. {@code --input=sequence}
   * measures the {@code GenerateSequence} path instead.
   */
  private static void addChunkedWrite(Pipeline p, WriteConfig config, long rows,
      int valueBytes, int sortBufferMb, boolean shuffle) {
    io.shardyfusion.transforms.ShardedWrite<Long> write =
        io.shardyfusion.transforms.ShardedWrite.<Long>to(config)
            .withKeyFn(i -> BenchData.key(i))
            .withValueFn(i -> BenchData.value(BenchData.key(i), valueBytes))
            .withSortBufferBytes((long) sortBufferMb << 20);
    long chunk = 10_000;
    p.apply("Chunks", org.apache.beam.sdk.transforms.Create.of(
            java.util.stream.LongStream.range(0, (rows + chunk - 1) / chunk).boxed().toList()))
        .apply("SpreadChunks", org.apache.beam.sdk.transforms.Reshuffle.viaRandomKey())
        .apply("Rows", org.apache.beam.sdk.transforms.ParDo.of(new ChunkRows(rows, chunk)))
        .apply("ShardedWrite", shuffle ? write.withRunsThroughShuffle() : write);
  }


  /** Chunk id → its rows. */
  static final class ChunkRows extends org.apache.beam.sdk.transforms.DoFn<Long, Long> {
    private static final long serialVersionUID = 1L;
    private final long rows;
    private final long chunk;

    ChunkRows(long rows, long chunk) {
      this.rows = rows;
      this.chunk = chunk;
    }

    @ProcessElement
    public void process(@Element Long c, OutputReceiver<Long> out) {
      for (long i = c * chunk; i < Math.min(rows, (c + 1) * chunk); i++) {
        out.output(i);
      }
    }
  }

  private static String suffix(boolean chunked, boolean shuffle) {
    return (chunked ? "" : " GenerateSequence") + (shuffle ? " via shuffle" : "");
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
      boolean chunked, boolean shuffle, String... args) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).withValidation().create());
    if (chunked) {
      addChunkedWrite(p, config, rows, valueBytes, sortBufferMb, shuffle);
    } else {
      GenerateSnapshotJob.addWrite(p, config, rows, valueBytes, sortBufferMb, shuffle);
    }
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
