package io.shardyfusion.pipelines;

import io.shardyfusion.backend.sqlite.SqliteBackend;

import io.shardyfusion.backend.sqlite.PageSize;

import io.shardyfusion.backend.rocksdb.RocksDbBackend;

import io.shardyfusion.backend.ShardBackend;

import io.shardyfusion.records.Record;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.postgres.PostgresConfig;
import io.shardyfusion.manifest.postgres.PostgresManifestStore;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.writer.publish.RunIds;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.CredentialProvider;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.storage.StorageLocation;
import io.shardyfusion.transforms.ShardedWrite;
import io.shardyfusion.transforms.ShardedWriteMetrics;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.BuildResultJson;
import io.shardyfusion.writer.BuildStats;
import io.shardyfusion.writer.WriteConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * A ready-made Beam job: reads JSON Lines, CSV, Parquet or Avro files and publishes them as a
 * sharded snapshot with {@link ShardedWrite}, on any runner.
 *
 * <pre>
 * bin/shardy build --input=examples/data/users.jsonl --key-field=id --num-dbs=8 \
 *     --output=file:///tmp/users
 * java -cp ... io.shardyfusion.pipelines.BuildSnapshot --input=data/*.parquet --keyField=id \
 *     --numDbs=64 --output=s3://bucket/snapshots/users --runner=FlinkRunner
 * </pre>
 *
 * <p>After the job, the published {@code _CURRENT} and manifest are read back from the store
 * and must name this job's run; {@link #main} prints them as JSON. Exit codes: 0 published,
 * 1 the job failed (bad records name their file and line; nothing is published), 2 bad
 * options or input paths (nothing ran).
 */
public final class BuildSnapshot {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private BuildSnapshot() {}

  /** Thrown when the job ran but did not publish; the message says why. */
  public static final class JobFailedException extends ShardyfusionException {
    private static final long serialVersionUID = 1L;

    public JobFailedException(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /** What the options resolve to, checked before any pipeline is built. */
  record Plan(WriteConfig config, InputFormat format, List<String> patterns, String input,
      KeyEncoding keyEncoding, long sortBufferBytes, RecordFns.KeyFn keyFn,
      org.apache.beam.sdk.transforms.SerializableFunction<Record, byte[]> valueFn,
      RecordFns.RoutingContextFn routingContextFn, long maxWritesPerSecond,
      long maxWriteBytesPerSecond) {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** {@link #main} without the exit: returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, null, err, result -> {
      out.println(toJson(result));
      out.flush();
    });
  }

  /**
   * Parses Beam-style {@code args}, runs the job and hands the published result to
   * {@code onResult}; problems go to {@code err}. Returns the exit code.
   *
   * @param s3 the S3 connection and credentials of the CLI's shared options
   *     ({@code --s3-option}, {@code --credentials-file}); null = from the (deprecated)
   *     {@code --s3EndpointUrl}-style job options, else the defaults
   */
  public static int run(String[] args, S3Access s3, PrintStream err,
      java.util.function.Consumer<BuildResult> onResult) {
    BuildSnapshotOptions options;
    Plan plan;
    try {
      options = parse(args);
      plan = plan(options, s3);
    } catch (IllegalArgumentException | ConfigValidationException e) {
      err.println("BuildSnapshot: " + e.getMessage());
      err.println("BuildSnapshot: options: --help=" + BuildSnapshotOptions.class.getName());
      return EXIT_USAGE;
    }
    try {
      onResult.accept(run(options, plan));
      return EXIT_OK;
    } catch (RuntimeException e) {
      err.println("BuildSnapshot: the job failed; nothing was published: " + describe(e));
      return EXIT_FAILED;
    }
  }

  /** The job's options from Beam-style arguments, validated. */
  static BuildSnapshotOptions parse(String[] args) {
    PipelineOptionsFactory.register(BuildSnapshotOptions.class);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(BuildSnapshotOptions.class);
  }

  /**
   * S3 settings given outside the job's options.
   *
   * @param credentials null = the AWS default credential chain
   */
  public record S3Access(S3ConnectionOptions options, CredentialProvider credentials) {}

  /**
   * Builds and runs the job, waits for it, then reads back what it published.
   *
   * @throws ConfigValidationException for bad options or input paths (before anything runs)
   * @throws RuntimeException when the job fails; {@link #describe} gives the cause's message
   */
  public static BuildResult run(BuildSnapshotOptions options) {
    return run(options, plan(options, null));
  }

  private static BuildResult run(BuildSnapshotOptions options, Plan plan) {
    long start = System.nanoTime();
    Pipeline p = Pipeline.create(options);
    expand(p, plan);
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new JobFailedException("the job ended in state " + state, null);
    }
    return readPublished(plan.config(), result, (System.nanoTime() - start) / 1_000_000);
  }

  /** Adds the job to {@code p} (for tests on a TestPipeline); returns ShardedWrite's output. */
  public static PCollection<BuildResult> expand(Pipeline p, BuildSnapshotOptions options) {
    return expand(p, plan(options, null));
  }

  static PCollection<BuildResult> expand(Pipeline p, Plan plan) {
    PCollection<FileIO.ReadableFile> files = p
        .apply("InputPatterns", Create.of(plan.patterns()))
        .apply("MatchInput", FileIO.matchAll()
            .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("OpenInput", FileIO.readMatches());
    ShardedWrite<Record> write = ShardedWrite.<Record>to(plan.config())
        .withKeyFn(plan.keyFn()).withValueFn(plan.valueFn())
        .withSortBufferBytes(plan.sortBufferBytes())
        .withMaxWritesPerSecond(plan.maxWritesPerSecond())
        .withMaxWriteBytesPerSecond(plan.maxWriteBytesPerSecond());
    if (plan.routingContextFn() != null) {
      write = write.withRoutingContextFn(plan.routingContextFn());
    }
    switch (plan.format()) {
      case JSONL:
      case CSV:
        // Text is read inside the write's routing step (TextFileRanges): no PCollection of
        // records, so the Direct runner holds file ranges, not the records read from them.
        boolean csv = plan.format() == InputFormat.CSV;
        return files.apply(csv ? "SplitCsv" : "SplitJsonl",
                ParDo.of(new TextFileRanges.Split(csv, TextFileRanges.RANGE_BYTES)))
            .setCoder(TextFileRanges.rangeCoder())
            .apply("SpreadRanges", Reshuffle.viaRandomKey())
            .apply("ShardedWrite", write.readingEach(TextFileRanges.reader(csv)));
      case PARQUET:
        return files.apply("ReadParquet", ParquetIO.parseFilesGenericRecords(
                new GenericRecordToRecord(InputFormat.PARQUET, plan.input()))
                .withCoder(RecordCoder.of()))
            .setCoder(RecordCoder.of())
            .apply("ShardedWrite", write);
      case AVRO:
        return files.apply("ReadAvro", AvroIO.parseFilesGenericRecords(
                new GenericRecordToRecord(InputFormat.AVRO, plan.input()))
                .withCoder(RecordCoder.of()))
            .setCoder(RecordCoder.of())
            .apply("ShardedWrite", write);
      default:
        throw new AssertionError(plan.format());
    }
  }

  static ShardBackend shardBackend(BuildSnapshotOptions o) {
    String f = o.getShardFormat() == null ? "rocksdb" : o.getShardFormat().trim();
    if (f.equals("rocksdb")) {
      return RocksDbBackend.defaults();
    }
    if (f.equals("sqlite")) {
      return SqliteBackend.of(PageSize.parse(o.getSqlitePageSize()));
    }
    throw new ConfigValidationException("--shardFormat '" + f + "' is not known; use rocksdb or "
        + "sqlite");
  }

  /** Checks the options and the input paths; every problem names the option and the fix. */
  static Plan plan(BuildSnapshotOptions o, S3Access s3Access) {
    FileSystems.setDefaultPipelineOptions(o);
    KeyEncoding encoding = KeyEncoding.fromWireName(o.getKeyEncoding());
    if (o.getKeyField() == null || o.getKeyField().isBlank()) {
      throw new ConfigValidationException("--keyField is required: the field holding each "
          + "record's key");
    }
    List<String> valueFields = o.getValueFields() == null ? List.of()
        : o.getValueFields().stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (o.getValueField() != null && !valueFields.isEmpty()) {
      throw new ConfigValidationException("set --valueField (one field as the value) or "
          + "--valueFields (a JSON object of several), not both");
    }

    WriteConfig.Builder b = WriteConfig.builder().s3Prefix(checkOutput(o.getOutput()))
        .keyEncoding(encoding).keyCol(o.getKeyField())
        .shardBackend(shardBackend(o)).manifestFormat(o.getManifestFormat());
    ShardingSpec sharding = sharding(o);
    b.sharding(sharding);
    b.inferRoutingValues(Boolean.TRUE.equals(o.getInferRoutingValues()));
    if (o.getNumDbs() != null) {
      b.numDbs(o.getNumDbs());
    }
    if (o.getMaxKeysPerShard() != null) {
      b.maxKeysPerShard(o.getMaxKeysPerShard());
    }
    b.runId(o.getRunId() != null ? o.getRunId() : RunIds.newRunId(Instant.now()));
    if (s3Access != null) {
      if (o.getS3EndpointUrl() != null || o.getS3Region() != null
          || o.getS3AccessKeyId() != null || o.getS3SecretAccessKey() != null
          || !"auto".equals(o.getS3AddressingStyle())) {
        throw new ConfigValidationException("S3 settings given twice: use --s3-option "
            + "key=value (and --credentials-file/--profile for keys), not also the deprecated "
            + "--s3-endpoint-url/--s3EndpointUrl-style options");
      }
      b.s3ConnectionOptions(s3Access.options());
      if (s3Access.credentials() != null) {
        b.credentialProvider(s3Access.credentials());
      }
    } else {
      S3ConnectionOptions.Builder s3 = S3ConnectionOptions.builder()
          .endpointUrl(blankToNull(o.getS3EndpointUrl()))
          .addressingStyle(o.getS3AddressingStyle()).region(blankToNull(o.getS3Region()));
      b.s3ConnectionOptions(s3.build());
    }
    if (o.getS3AccessKeyId() != null || o.getS3SecretAccessKey() != null) {
      if (o.getS3AccessKeyId() == null || o.getS3SecretAccessKey() == null) {
        throw new ConfigValidationException("set both --s3AccessKeyId and --s3SecretAccessKey,"
            + " or neither to use the AWS default credential chain");
      }
      b.credentialProvider(new StaticCredentialProvider(o.getS3AccessKeyId(),
          o.getS3SecretAccessKey()));
    }
    if (o.getTempDir() != null) {
      b.tempDir(Paths.get(o.getTempDir()));
    }
    customFields(o.getCustomFields()).forEach(b::customField);
    if (o.getManifestStore() != null) {
      // The URL may name the layout: ...?layout=python&table_name=...&pointer_table=...
      PostgresConfig.Builder pg = PostgresConfig.fromUrl(o.getManifestStore())
          .user(o.getManifestStoreUser());
      if (!PostgresConfig.DEFAULT_DATASET.equals(o.getManifestDataset())) {
        pg.dataset(o.getManifestDataset());
      }
      if (o.getManifestStorePasswordEnv() != null) {
        pg.passwordFromEnv(o.getManifestStorePasswordEnv());
      }
      b.manifestStore(PostgresManifestStore.factory(pg.build()));
    }
    if (o.getSortBufferMb() == null || o.getSortBufferMb() < 1) {
      throw new ConfigValidationException("--sortBufferMb must be >= 1, got "
          + o.getSortBufferMb());
    }
    WriteConfig config = b.build();

    List<String> patterns = splitPatterns(o.getInput());
    InputFormat format = inputFormat(o.getInputFormat(), patterns);

    org.apache.beam.sdk.transforms.SerializableFunction<Record, byte[]> valueFn =
        o.getValueField() != null ? new RecordFns.FieldValueFn(o.getValueField())
            : !valueFields.isEmpty() ? new RecordFns.FieldsValueFn(valueFields)
            : new RecordFns.RecordValueFn();
    RecordFns.RoutingContextFn ctx = sharding.needsRoutingContext()
        ? new RecordFns.RoutingContextFn(sharding.celColumns()) : null;
    return new Plan(config, format, patterns, o.getInput(), encoding,
        o.getSortBufferMb() * 1024L * 1024L, new RecordFns.KeyFn(o.getKeyField(), encoding),
        valueFn, ctx, rate("--maxWritesPerSecond", o.getMaxWritesPerSecond()),
        rate("--maxWriteBytesPerSecond", o.getMaxWriteBytesPerSecond()));
  }

  /** A write limit option: null (unset) is 0, unlimited; negative is refused naming it. */
  private static long rate(String option, Long value) {
    if (value == null) {
      return 0;
    }
    if (value < 0) {
      throw new ConfigValidationException(option + " must be >= 0 (0 = unlimited), got "
          + value);
    }
    return value;
  }

  private static ShardingSpec sharding(BuildSnapshotOptions o) {
    if (o.getCelExpr() == null || o.getCelExpr().isBlank()) {
      if (o.getCelColumns() != null || o.getBoundaries() != null) {
        throw new ConfigValidationException("--celColumns and --boundaries need --celExpr "
            + "(CEL sharding); without it keys are hashed");
      }
      return ShardingSpec.hash();
    }
    Map<String, String> columns = null;
    if (o.getCelColumns() != null) {
      columns = new LinkedHashMap<>();
      for (String pair : o.getCelColumns().split(",")) {
        String[] kv = pair.split(":", 2);
        if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
          throw new ConfigValidationException("--celColumns entry '" + pair + "' is not "
              + "name:type; e.g. --celColumns=region:string,tier:int");
        }
        columns.put(kv[0].trim(), kv[1].trim());
      }
    }
    List<Object> boundaries = o.getBoundaries() == null ? null : boundaries(o.getBoundaries());
    if (o.getRoutingValues() != null) {
      if (boundaries != null) {
        throw new ConfigValidationException("set --boundaries (range routing) or "
            + "--routingValues (categorical routing), not both");
      }
      return ShardingSpec.celCategorical(o.getCelExpr(), columns,
          routingValues(o.getRoutingValues()));
    }
    return columns == null
        ? (boundaries == null ? ShardingSpec.cel(o.getCelExpr())
            : ShardingSpec.cel(o.getCelExpr(), boundaries))
        : (boundaries == null ? ShardingSpec.celColumns(o.getCelExpr(), columns)
            : ShardingSpec.celColumns(o.getCelExpr(), columns, boundaries));
  }

  /** Integers if every token is one, else strings. */
  static List<Object> routingValues(String text) {
    List<Object> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      out.add(part.trim());
    }
    if (out.stream().allMatch(t -> ((String) t).matches("-?\\d+"))) {
      out.replaceAll(t -> Long.parseLong((String) t));
    }
    return out;
  }

  /** Integers if every boundary is one, else decimals if every one is, else strings. */
  static List<Object> boundaries(String text) {
    String[] parts = text.split(",", -1);
    List<Object> out = new ArrayList<>();
    try {
      for (String s : parts) {
        out.add(Long.parseLong(s.trim()));
      }
      return out;
    } catch (NumberFormatException notAllIntegers) {
      out.clear();
    }
    try {
      for (String s : parts) {
        out.add(Double.parseDouble(s.trim()));
      }
      return out;
    } catch (NumberFormatException notAllNumbers) {
      out.clear();
    }
    for (String s : parts) {
      out.add(s);
    }
    return out;
  }

  private static Map<String, Object> customFields(String text) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String pair : text.split(",")) {
      String[] kv = pair.split("=", 2);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new ConfigValidationException("--customFields entry '" + pair + "' is not "
            + "key=value; e.g. --customFields=owner=search,source=users");
      }
      out.put(kv[0].trim(), kv[1].trim());
    }
    return out;
  }

  /** Validates the prefix; for file:// also that the directory can be created and written. */
  private static String checkOutput(String output) {
    if (output == null || output.isBlank()) {
      throw new ConfigValidationException("--output is required: s3://bucket/path or "
          + "file:///dir");
    }
    StorageLocation loc;
    try {
      loc = StorageLocation.parse(output);
    } catch (ConfigValidationException e) {
      throw new ConfigValidationException("--output=" + output + " is not a snapshot prefix: "
          + e.getMessage());
    }
    if (!loc.isS3()) {
      Path dir = loc.localPath();
      try {
        Files.createDirectories(dir);
      } catch (IOException | SecurityException e) {
        throw new ConfigValidationException("--output=" + output + " is not writable: cannot "
            + "create " + dir + " (" + e + "); choose a directory you can write to");
      }
      if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
        throw new ConfigValidationException("--output=" + output + " is not writable: " + dir
            + " is not a writable directory; choose a directory you can write to");
      }
    }
    return output;
  }

  /** Splits comma-separated patterns, keeping commas inside glob braces ({a,b}). */
  static List<String> splitPatterns(String input) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    for (char c : input.toCharArray()) {
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth = Math.max(0, depth - 1);
      }
      if (c == ',' && depth == 0) {
        addPattern(out, cur);
      } else {
        cur.append(c);
      }
    }
    addPattern(out, cur);
    if (out.isEmpty()) {
      throw new ConfigValidationException("--input is empty; give a file pattern such as "
          + "data/*.jsonl");
    }
    return out;
  }

  private static void addPattern(List<String> out, StringBuilder cur) {
    String s = cur.toString().trim();
    if (!s.isEmpty()) {
      out.add(s);
    }
    cur.setLength(0);
  }

  /** Matches every pattern now, so that a typo fails before the job starts. */
  private static InputFormat inputFormat(String explicit, List<String> patterns) {
    Set<InputFormat> seen = EnumSet.noneOf(InputFormat.class);
    List<String> unknown = new ArrayList<>();
    for (String pattern : patterns) {
      MatchResult m;
      try {
        m = FileSystems.match(pattern, EmptyMatchTreatment.DISALLOW);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigValidationException("--input pattern '" + pattern + "' cannot be "
            + "matched: " + e.getMessage() + "; check the scheme (local paths, file://, or a "
            + "Beam FileSystem on the classpath)");
      }
      List<MatchResult.Metadata> files;
      try {
        files = m.status() == MatchResult.Status.OK ? m.metadata() : List.of();
      } catch (IOException e) {
        files = List.of();
      }
      if (files.isEmpty()) {
        throw new ConfigValidationException("--input pattern '" + pattern + "' matches no "
            + "files" + (pattern.contains("://") ? "" : " (relative to "
            + Paths.get("").toAbsolutePath() + ")") + "; check the path and the glob");
      }
      for (MatchResult.Metadata f : files) {
        InputFormat fmt = InputFormat.fromFileName(f.resourceId().getFilename() == null
            ? f.resourceId().toString() : f.resourceId().getFilename());
        if (fmt == null) {
          unknown.add(f.resourceId().toString());
        } else {
          seen.add(fmt);
        }
      }
    }
    if (explicit != null && !explicit.isBlank()) {
      return InputFormat.parse(explicit);
    }
    if (seen.size() == 1 && unknown.isEmpty()) {
      return seen.iterator().next();
    }
    throw new ConfigValidationException("cannot tell the input format of " + patterns + ": "
        + (seen.size() > 1 ? "the files' extensions name " + seen
            : "no known extension on " + unknown.subList(0, Math.min(3, unknown.size())))
        + "; pass --inputFormat=jsonl|csv|parquet|avro (one format per job)");
  }

  /**
   * Reads {@code _CURRENT} and the manifest it names, and checks that they are this job's run:
   * the result describes what was really published.
   */
  static BuildResult readPublished(WriteConfig config, PipelineResult result, long wallMs) {
    try (ObjectStore store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
        config.credentialProvider());
        ManifestStore manifests = config.openManifestStore(store)) {
      Optional<CurrentPointer> current = manifests.loadCurrent();
      if (current.isEmpty()) {
        throw new JobFailedException("the job finished but " + manifests.location()
            + " has no current pointer", null);
      }
      CurrentPointer pointer = current.get();
      if (!pointer.runId().equals(config.runId())) {
        throw new JobFailedException("the job finished but " + manifests.location()
            + " names run " + pointer.runId() + ", not this job's run " + config.runId()
            + "; did another writer publish there meanwhile?", null);
      }
      Manifest manifest = manifests.loadManifest(pointer.manifestRef());
      long bytes = counter(result, ShardedWriteMetrics.BYTES, manifest.totalBytes());
      int attempts = (int) counter(result, ShardedWriteMetrics.SHARDS, manifest.shards().size());
      long buildMax = 0;
      try {
        MetricQueryResults q = result.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(ShardedWriteMetrics.NAMESPACE,
                ShardedWriteMetrics.SHARD_BUILD_MS)).build());
        for (MetricResult<DistributionResult> d : q.getDistributions()) {
          buildMax = Math.max(buildMax, d.getAttempted().getMax());
        }
      } catch (UnsupportedOperationException e) {
        // a runner without metrics: leave 0
      }
      BuildStats stats = BuildStats.builder().rowsWritten(manifest.totalRows())
          .bytesWritten(bytes).numDbs(manifest.numDbs()).numWinners(manifest.shards().size())
          .numAttemptResults(attempts).writeMs(buildMax).totalMs(wallMs).build();
      return new BuildResult(manifest.runId(), manifest.shards(), pointer.manifestRef(), stats);
    }
  }

  private static long counter(PipelineResult result, String name, long fallback) {
    try {
      MetricQueryResults q = result.metrics().queryMetrics(MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named(ShardedWriteMetrics.NAMESPACE, name)).build());
      long sum = 0;
      boolean any = false;
      for (MetricResult<Long> c : q.getCounters()) {
        sum += c.getAttempted();
        any = true;
      }
      return any ? sum : fallback;
    } catch (UnsupportedOperationException e) {
      return fallback;
    }
  }

  /** The most useful message in a failure's cause chain: the first of our own exceptions. */
  public static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ShardyfusionException) {
        return c.getMessage();
      }
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t) : t.getMessage() + " (caused by " + root + ")";
  }

  /** The build result as the pretty JSON {@link #main} prints. */
  public static String toJson(BuildResult r) {
    return BuildResultJson.toJson(r);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
