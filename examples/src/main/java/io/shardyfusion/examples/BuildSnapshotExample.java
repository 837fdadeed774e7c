package io.shardyfusion.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import io.shardyfusion.records.SnapshotVerifier;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.S3Settings;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.BuildResultJson;
import io.shardyfusion.writer.ShardRetry;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Builds a snapshot from a JSON Lines file with the in-process {@link SnapshotWriter}, then
 * reads it back with a {@link ShardedReader} and checks a few lookups.
 *
 * <pre>
 * bin/shardy-example                       # examples/data/users.jsonl, 8 shards, file:// store
 * bin/shardy-example --num-dbs 4 --parallel --value-field name
 * </pre>
 *
 * <p>Exit codes: 0 success, 1 the build or the read failed, 2 bad command line or option, 3 bad input
 * (the message names the line), 4 the snapshot read back does not hold what was written.
 */
@Command(name = "shardy-example", mixinStandardHelpOptions = true, sortOptions = false,
    usageHelpWidth = 110,
    version = "shardyfusion BuildSnapshotExample 0.1.0-SNAPSHOT",
    description = {"Builds a sharded RocksDB snapshot from a JSON Lines file, publishes it "
        + "under --output, then opens it with ShardedReader and checks the first, middle and "
        + "last record of the file and one key that is not in it.", ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:the build or the read failed",
        "2:bad command line or option value", "3:bad input (the message names the line)",
        "4:the snapshot read back does not hold what was written"})
public final class BuildSnapshotExample implements Callable<Integer> {
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_BAD_INPUT = 3;
  public static final int EXIT_MISMATCH = 4;

  /** Overrides where the repository root is (bin/shardy-example sets it). */
  public static final String REPO_ROOT_PROPERTY = "shardyfusion.repo";
  static final String SAMPLE_DATA = "examples/data/users.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final Path repoRoot = findRepoRoot();

  @Option(names = "--input", paramLabel = "FILE",
      description = "JSON Lines file, one object per line (default: ${DEFAULT-VALUE})")
  Path input = repoRoot.resolve(SAMPLE_DATA);

  @Option(names = "--output", paramLabel = "PREFIX",
      description = {"Where to publish: file:///dir or s3://bucket/path",
          "(default: ${DEFAULT-VALUE})"})
  String output = "file://" + repoRoot.resolve("work-data/snapshots/users");

  @Option(names = "--num-dbs", paramLabel = "N",
      description = "Number of shards (default: ${DEFAULT-VALUE})")
  int numDbs = 8;

  @Option(names = "--key-field", paramLabel = "FIELD",
      description = "Field holding the key (default: ${DEFAULT-VALUE})")
  String keyField = "id";

  @Option(names = "--value-field", paramLabel = "FIELD",
      description = "Field stored as the value: its text for a string, its JSON otherwise "
          + "(default: the whole line)")
  String valueField;

  @Option(names = "--key-encoding", paramLabel = "ENC", converter = KeyEncodingConverter.class,
      description = "u64be, u32be (integer keys), utf8 (string keys), raw (string keys as "
          + "UTF-8 bytes) (default: u64be)")
  KeyEncoding keyEncoding = KeyEncoding.U64BE;

  @Option(names = "--parallel",
      description = "Build shards concurrently (one thread per core)")
  boolean parallel;

  @Option(names = "--shard-retries", paramLabel = "N",
      description = "Try a shard whose build or upload failed retryably up to N more times, "
          + "each in a new attempt directory, 1 s apart and doubling (default: 0, as the "
          + "Python system's shard_retry)")
  int shardRetries;

  @Option(names = "--local-root", paramLabel = "DIR",
      description = "Where the reader downloads shards (default: ${DEFAULT-VALUE})")
  Path localRoot = repoRoot.resolve("work-data/reader");

  @Option(names = "--s3-option", paramLabel = "KEY=VALUE",
      description = {"S3 connection setting for s3:// prefixes, repeatable, as in shardy: "
          + "endpoint_url, addressing_style (path|virtual|auto), region, connect_timeout, "
          + "read_timeout, api_call_timeout, max_attempts, max_connections; credentials come "
          + "from the AWS default chain",
          "e.g. --s3-option endpoint_url=http://127.0.0.1:9000 --s3-option "
              + "addressing_style=path"})
  List<String> s3Settings = new ArrayList<>();

  @Option(names = "--s3-endpoint-url", paramLabel = "URL",
      description = "Deprecated: --s3-option endpoint_url=URL --s3-option "
          + "addressing_style=path")
  String s3EndpointUrl;

  @Spec
  CommandSpec spec;

  /** The report of the last successful {@link #call()}, for tests. */
  Report lastReport;

  /** What one run did; returned to tests, printed as JSON by the command. */
  public record Report(BuildResult build, long linesRead, List<Lookup> lookups,
      SnapshotInfo snapshotInfo) {}

  /**
   * One lookup the example made.
   *
   * @param lineNumber the record's line in the input; 0 for the key that is not in the file
   * @param expected the value written for the key, null when it should be absent
   * @param actual what the reader returned
   */
  public record Lookup(long lineNumber, Object key, byte[] expected, byte[] actual) {
    public boolean matches() {
      return Arrays.equals(expected, actual);
    }
  }

  /** Thrown when the snapshot read back differs from what was written. */
  public static final class MismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MismatchException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine(new BuildSnapshotExample()).execute(args));
  }

  /** The command line as {@link #main} runs it; tests set their own out/err writers on it. */
  public static CommandLine commandLine(BuildSnapshotExample example) {
    return new CommandLine(example);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      lastReport = run(out);
      return 0;
    } catch (InputException e) {
      err.println("shardy-example: bad input: " + e.getMessage());
      return EXIT_BAD_INPUT;
    } catch (MismatchException e) {
      err.println("shardy-example: verification failed: " + e.getMessage());
      return EXIT_MISMATCH;
    } catch (ConfigValidationException e) {
      err.println("shardy-example: bad option: " + e.getMessage());
      return spec.exitCodeOnInvalidInput();
    } catch (ShardyfusionException e) {
      err.println("shardy-example: failed: " + e.getMessage());
      return EXIT_FAILED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Builds, prints the build, reads back, checks and prints the lookups and snapshot info. */
  public Report run(PrintWriter out) {
    WriteConfig.Builder config = WriteConfig.builder()
        .numDbs(numDbs)
        .s3Prefix(output)
        .keyEncoding(keyEncoding)
        .keyCol(keyField)
        .customField("example", "BuildSnapshotExample")
        .customField("input", input.getFileName().toString())
        .shardRetry(ShardRetry.of(shardRetries, java.time.Duration.ofSeconds(1)));
    S3ConnectionOptions s3 = s3Options();
    if (s3 != null) {
      config.s3ConnectionOptions(s3);
    }

    BuildResult result;
    long lines;
    Sampler sampler = new Sampler();
    try (JsonlRecords records = new JsonlRecords(input, keyField, valueField, keyEncoding)) {
      Iterable<JsonlRecords.Row> counted = () -> sampler.observe(records.iterator());
      result = SnapshotWriter.writeSharded(counted, config.build(), JsonlRecords.Row::key,
          JsonlRecords.Row::value, WriteOptions.defaults().withParallel(parallel));
      lines = sampler.rows;
    }
    if (result.stats().rowsWritten() != lines) {
      throw new MismatchException("read " + lines + " records from " + input + " but the "
          + "writer reports " + result.stats().rowsWritten() + " rows written");
    }
    out.println("build result:");
    out.println(toJson(buildJson(result)));

    List<JsonlRecords.Row> samples = sampleRows(lines);
    Object missing = sampler.missingKey(result.runId());

    ReaderConfig.Builder readerConfig = ReaderConfig.builder().s3Prefix(output)
        .localRoot(localRoot);
    if (s3 != null) {
      readerConfig.s3ConnectionOptions(s3);
    }
    List<SnapshotVerifier.Expected> expected = new ArrayList<>();
    for (JsonlRecords.Row row : samples) {
      expected.add(new SnapshotVerifier.Expected("line " + row.lineNumber(), row.key(),
          row.value()));
    }
    if (missing != null) {
      expected.add(new SnapshotVerifier.Expected(null, missing, null));
    }
    SnapshotVerifier.Report check;
    try (ShardedReader reader = ShardedReader.open(readerConfig.build())) {
      check = SnapshotVerifier.verify(reader, expected, lines, result.runId());
    }
    SnapshotInfo info = check.info();
    if (!info.runId().equals(result.runId())) {
      throw new MismatchException(check.problems().get(0));
    }
    List<Lookup> lookups = new ArrayList<>();
    for (SnapshotVerifier.Lookup l : check.lookups()) {
      String label = l.expected().label();
      lookups.add(new Lookup(label == null ? 0 : Long.parseLong(label.substring(5)),
          l.expected().key(), l.expected().value(), l.actual()));
    }
    out.println("lookups:");
    out.println(toJson(lookupsJson(lookups)));
    out.println("snapshot info:");
    out.println(toJson(infoJson(info)));
    if (!check.ok()) {
      throw new MismatchException(check.problems().get(0));
    }
    out.println("OK: " + lines + " records from " + input + " published under " + output
        + "; " + lookups.size() + " lookups returned what was written.");
    return new Report(result, lines, List.copyOf(lookups), info);
  }

  private S3ConnectionOptions s3Options() {
    List<String> settings = new ArrayList<>();
    if (s3EndpointUrl != null) {
      spec.commandLine().getErr().println("shardy-example: warning: --s3-endpoint-url is "
          + "deprecated; use --s3-option endpoint_url=URL --s3-option addressing_style=path");
      settings.addAll(List.of("endpoint_url=" + s3EndpointUrl, "addressing_style=path"));
    }
    settings.addAll(s3Settings);
    if (settings.isEmpty()) {
      return null;
    }
    return S3Settings.apply(S3ConnectionOptions.builder(), settings).build();
  }

  /** Re-reads the file (streaming) for its first, middle and last record. */
  private List<JsonlRecords.Row> sampleRows(long count) {
    List<JsonlRecords.Row> out = new ArrayList<>();
    if (count == 0) {
      return out;
    }
    long[] wanted = {0, count / 2, count - 1};
    try (JsonlRecords records = new JsonlRecords(input, keyField, valueField, keyEncoding)) {
      long index = 0;
      for (JsonlRecords.Row row : records) {
        for (long w : wanted) {
          if (w == index && (out.isEmpty() || out.get(out.size() - 1) != row)) {
            out.add(row);
          }
        }
        index++;
        if (index >= count) {
          break;
        }
      }
    }
    return out;
  }

  /** Counts the rows the writer consumed and keeps what is needed to pick an absent key. */
  private final class Sampler {
    long rows;
    long minKey = Long.MAX_VALUE;
    long maxKey = Long.MIN_VALUE;
    final java.util.HashSet<String> seenCandidates = new java.util.HashSet<>();

    java.util.Iterator<JsonlRecords.Row> observe(java.util.Iterator<JsonlRecords.Row> it) {
      rows = 0;
      return new java.util.Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public JsonlRecords.Row next() {
          JsonlRecords.Row row = it.next();
          rows++;
          if (row.key() instanceof Long k) {
            minKey = Math.min(minKey, k);
            maxKey = Math.max(maxKey, k);
          } else if (row.key() instanceof String s && s.startsWith(SnapshotVerifier.ABSENT_PREFIX)) {
            seenCandidates.add(s);
          }
          return row;
        }
      };
    }

    /** A key that is in no record of the input, or null if none is easy to find. */
    Object missingKey(String runId) {
      return SnapshotVerifier.absentKey(keyEncoding, rows, minKey, maxKey, runId,
          seenCandidates::contains);
    }
  }

  private static ObjectNode buildJson(BuildResult r) {
    return BuildResultJson.toTree(r);
  }

  private static ArrayNode lookupsJson(List<Lookup> lookups) {
    ArrayNode a = JSON.createArrayNode();
    for (Lookup l : lookups) {
      ObjectNode n = a.addObject();
      if (l.lineNumber() > 0) {
        n.put("line", l.lineNumber());
      } else {
        n.put("line", (String) null);
        n.put("note", "a key that is not in the input");
      }
      n.set("key", JSON.valueToTree(l.key() instanceof byte[] b
          ? new String(b, StandardCharsets.UTF_8) : l.key()));
      n.put("found", l.actual() != null);
      n.put("value", l.actual() == null ? null
          : new String(l.actual(), StandardCharsets.UTF_8));
      n.put("matches", l.matches());
    }
    return a;
  }

  private static ObjectNode infoJson(SnapshotInfo i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("run_id", i.runId());
    n.put("manifest_ref", i.manifestRef());
    n.put("created_at", String.valueOf(i.createdAt()));
    n.put("num_dbs", i.numDbs());
    n.put("shard_count", i.shardCount());
    n.put("total_rows", i.totalRows());
    n.put("total_bytes", i.totalBytes());
    n.put("key_encoding", i.keyEncoding());
    n.put("sharding", i.sharding());
    n.put("loaded_at", String.valueOf(i.loadedAt()));
    return n;
  }

  private static String toJson(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The repository root: {@code -Dshardyfusion.repo}, else the first directory from the working
   * directory upwards that holds {@value #SAMPLE_DATA}, else the working directory.
   */
  static Path findRepoRoot() {
    String prop = System.getProperty(REPO_ROOT_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return Paths.get(prop).toAbsolutePath().normalize();
    }
    Path cwd = Paths.get("").toAbsolutePath().normalize();
    for (Path p = cwd; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve(SAMPLE_DATA))) {
        return p;
      }
    }
    return cwd;
  }

  static final class KeyEncodingConverter implements CommandLine.ITypeConverter<KeyEncoding> {
    @Override
    public KeyEncoding convert(String value) {
      try {
        return KeyEncoding.fromWireName(value);
      } catch (ShardyfusionException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
