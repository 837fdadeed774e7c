package io.shardyfusion.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.cli.ManifestStoreResolver;
import io.shardyfusion.cli.Output;
import io.shardyfusion.cli.OutputFormat;
import io.shardyfusion.cli.Result;
import io.shardyfusion.cli.ShardyCli;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.BuildResultJson;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code shardy build}: the Beam job {@link BuildSnapshot} as a subcommand of the one
 * {@code shardy} front end ({@link ShardyCli}), so that it takes the shared S3, credentials and
 * output options of the read commands. Its own options are {@link BuildSnapshotOptions}' in
 * kebab-case, with their descriptions ({@link #spec}); every other
 * {@code --option=value} (or {@code --option value}) goes to Beam unchanged, kebab-case turned
 * into Beam's camelCase ({@code --flink-master} = {@code --flinkMaster}).
 */
@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
    usageHelpAutoWidth = true,
    description = {"Build a sharded snapshot from JSONL, CSV, Parquet or Avro files with a Beam "
        + "job and publish it (Direct runner by default; --runner=FlinkRunner or SparkRunner).",
        "Reads every file matching --input (local paths or any Beam FileSystem; comma-separated "
            + "patterns; .gz/.bz2/.zst decompressed by extension), keys each record by "
            + "--key-field and publishes a sharded RocksDB snapshot under --output. Prints the "
            + "published result (run id, manifest, shards): pretty JSON unless --output-format "
            + "says otherwise."},
    footer = {"",
        "Shared options (before or after 'build'): --s3-option KEY=VALUE (repeatable: "
            + "endpoint_url, addressing_style, region, timeouts, ...), --credentials-file FILE, "
            + "--profile NAME (keys; default the AWS credential chain), --output-format "
            + "json|jsonl|table|text, -v. See 'shardy --help'.",
        "Deprecated, still accepted: --s3-endpoint-url, --s3-addressing-style, --s3-region, "
            + "--s3-access-key-id, --s3-secret-access-key (and Beam's --s3EndpointUrl, ...); "
            + "use --s3-option and a credentials profile instead.",
        "Any other --option=value goes to Beam unchanged (--runner, --flinkMaster, "
            + "--parallelism, --sparkMaster, ...); the job's full option list with Beam's "
            + "names: --help-all.",
        "",
        "Examples:",
        "  shardy build --input=examples/data/users.jsonl --key-field=id --num-dbs=8 \\",
        "      --output=file:///tmp/users",
        "  shardy build --input='data/*.csv' --key-field=email --key-encoding=utf8 \\",
        "      --value-fields=name,country --max-keys-per-shard=1000000 \\",
        "      --output=file:///tmp/people",
        "  shardy build --input='data/*.parquet' --key-field=id --cel-expr=key \\",
        "      --boundaries=1000000,2000000 --output=s3://bucket/snapshots/users \\",
        "      --s3-option endpoint_url=http://127.0.0.1:9000 \\",
        "      --s3-option addressing_style=path --profile minio",
        "  shardy build --input=examples/data/users.jsonl --key-field=id --num-dbs=8 \\",
        "      --output=file:///tmp/users --runner=FlinkRunner --flinkMaster=[local] \\",
        "      --parallelism=2",
        "  shardy build ... --runner=SparkRunner --sparkMaster='local[2]'",
        "",
        "Exit codes: 0 published, 1 the job failed (nothing published), 2 bad options or input."})
final class BuildCommand implements Callable<Integer> {
  private static final Pattern KEBAB = Pattern.compile("-([a-z0-9])");

  @ParentCommand ShardyCli root;
  @Spec CommandSpec spec;

  @Option(names = "--help-all", description = "Every option of the job with Beam's names.")
  boolean helpAll;

  @Unmatched List<String> passThrough = new ArrayList<>();

  /**
   * The job's own options, in help order, as {@code beanProperty:PARAM_LABEL}: their kebab-case
   * names and descriptions come from {@link BuildSnapshotOptions} (one description per option).
   * The deprecated S3 ones are not listed; they pass through to Beam.
   */
  private static final List<String> JOB_OPTIONS = List.of("input:PATTERN",
      "inputFormat:FMT", "keyField:FIELD", "valueField:FIELD", "valueFields:F1,F2",
      "keyEncoding:ENC", "numDbs:N", "maxKeysPerShard:N", "celExpr:EXPR",
      "celColumns:NAME:TYPE,...", "boundaries:B1,B2,...", "output:PREFIX", "runId:ID",
      "sortBufferMb:N", "maxWritesPerSecond:N", "maxWriteBytesPerSecond:N", "tempDir:DIR",
      "customFields:K=V,...", "manifestStore:JDBC_URL",
      "manifestStoreUser:ROLE", "manifestStorePasswordEnv:VAR", "manifestDataset:NAME");

  /** The command with the job's options added from {@link BuildSnapshotOptions}. */
  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.forAnnotatedObject(new BuildCommand());
    for (String entry : JOB_OPTIONS) {
      int colon = entry.indexOf(':');
      String property = entry.substring(0, colon);
      String getter = "get" + Character.toUpperCase(property.charAt(0)) + property.substring(1);
      Method m;
      try {
        m = BuildSnapshotOptions.class.getMethod(getter);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("BuildSnapshotOptions has no " + getter, e);
      }
      // picocli formats descriptions: a literal % (as in "shard_hash(key) % 8u") is %%.
      String description = m.getAnnotation(Description.class).value().replace("%", "%%");
      Default.String dflt = m.getAnnotation(Default.String.class);
      Default.Integer dfltInt = m.getAnnotation(Default.Integer.class);
      Default.Long dfltLong = m.getAnnotation(Default.Long.class);
      if (dflt != null || dfltInt != null || dfltLong != null) {
        description += " (default: " + (dflt != null ? dflt.value()
            : dfltInt != null ? String.valueOf(dfltInt.value())
            : String.valueOf(dfltLong.value())) + ")";
      }
      spec.addOption(OptionSpec.builder(kebab(property)).paramLabel(entry.substring(colon + 1))
          .type(String.class).description(description).build());
    }
    return spec;
  }

  @Override
  public Integer call() {
    PrintStream out = root.context().out();
    PrintStream err = root.context().err();
    if (helpAll) {
      PipelineOptionsFactory.register(BuildSnapshotOptions.class);
      PipelineOptionsFactory.printHelp(out, BuildSnapshotOptions.class);
      return BuildSnapshot.EXIT_OK;
    }
    List<String> args = beamArgs(spec, passThrough, err);
    if (args.isEmpty()) {
      spec.commandLine().usage(new PrintWriter(err, true));
      return BuildSnapshot.EXIT_USAGE;
    }
    return BuildSnapshot.run(args.toArray(String[]::new), s3Access(root), err, printer(root));
  }

  /**
   * The job's arguments: this command's options in Beam's spelling, then the pass-through ones
   * (kebab-case turned into camelCase; on Spark the streaming group option added).
   */
  static List<String> beamArgs(CommandSpec spec, List<String> passThrough, PrintStream err) {
    List<String> args = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!o.inherited() && o.type() == String.class && o.getValue() != null) {
        args.add(camel(o.longestName()) + "=" + o.getValue());
      }
    }
    args.addAll(passThroughArgs(passThrough, err));
    return args;
  }

  /** Unknown options for Beam: --name value joined to --name=value, kebab-case to camelCase. */
  static List<String> passThroughArgs(List<String> words, PrintStream err) {
    List<String> out = new ArrayList<>();
    boolean spark = false;
    for (int i = 0; i < words.size(); i++) {
      String arg = words.get(i);
      if (arg.startsWith("--") && !arg.contains("=") && i + 1 < words.size()
          && !words.get(i + 1).startsWith("-")) {
        arg = arg + "=" + words.get(++i);
      }
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        arg = camel(name) + (eq < 0 ? "" : arg.substring(eq));
        if (camel(name).startsWith("--s3")) {
          err.println("shardy: warning: " + name + " is deprecated; use --s3-option KEY=VALUE "
              + "(endpoint_url, addressing_style, region) and --credentials-file/--profile "
              + "for keys");
        }
      }
      spark |= arg.matches("--runner=(.*\\.)?SparkRunner");
      out.add(arg);
    }
    // On Spark a shard's group must stream, not sit in heap: bounded memory needs this option.
    if (spark && out.stream().noneMatch(a -> a.startsWith("--preferGroupByKeyToHandleHugeValues"))) {
      out.add("--preferGroupByKeyToHandleHugeValues=true");
    }
    return out;
  }

  /** keyField -> --key-field. */
  static String kebab(String property) {
    return "--" + property.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
  }

  /** --key-field -> --keyField. */
  static String camel(String option) {
    Matcher m = KEBAB.matcher(option.substring(2));
    StringBuilder sb = new StringBuilder("--");
    while (m.find()) {
      m.appendReplacement(sb, m.group(1).toUpperCase(java.util.Locale.ROOT));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The shared --s3-option / --credentials-file / --profile settings, null when none. */
  static BuildSnapshot.S3Access s3Access(ShardyCli root) {
    ManifestStoreResolver.Access a = root.sharedS3Access();
    return a == null ? null : new BuildSnapshot.S3Access(a.s3Options(), a.credentials());
  }

  /** Prints a build result: pretty JSON by default (as BuildSnapshot), else --output-format. */
  static Consumer<BuildResult> printer(ShardyCli root) {
    PrintStream out = root.context().out();
    OutputFormat format = root.outputFormat();
    return r -> {
      if (format == null || format == OutputFormat.JSON) {
        out.println(BuildSnapshot.toJson(r));
        out.flush();
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = new ObjectMapper().convertValue(BuildResultJson.toTree(r),
          Map.class);
      new Output(out, format).print(Result.record(fields, "published run " + r.runId() + ": "
          + r.stats().rowsWritten() + " rows in " + r.winners().size() + " shards, manifest "
          + r.manifestRef()));
    };
  }
}
