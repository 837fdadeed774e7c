package io.shardyfusion.cli;

import io.shardyfusion.errors.ShardyfusionException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code shardy}: look up keys and inspect, pin and roll back published snapshots. Without a
 * subcommand it reads commands line by line (a REPL). {@code bin/shardy} runs this class for
 * every command except the Beam jobs ({@code build}, {@code demo}).
 *
 * <p>Exit codes: 0 ok; 1 a key was not found or an operation failed (store unreachable,
 * unknown ref or run id, malformed manifest); 2 a usage error (bad options or arguments,
 * conflicting flags, a bad credentials file, no {@code --current-url}). A subcommand is one
 * class plus one entry in {@code subcommands} below.
 */
// Global options but --ref/--offset are inherited: they may also follow the subcommand
// (shardy get 42 --output-format json). --ref/--offset may not: rollback has its own.
@Command(name = "shardy", mixinStandardHelpOptions = true, versionProvider = ShardyCli.Version.class,
    sortOptions = false, usageHelpAutoWidth = true,
    description = {"Look up keys in a published shardyfusion snapshot, inspect it, pin reads to "
        + "an earlier manifest, or roll _CURRENT back.",
        "Without a command, reads commands from stdin (a REPL; prompt 'shardy> ' on a "
            + "terminal)."},
    subcommands = {
        GetCommand.class,
        MultiGetCommand.class,
        InfoCommand.class,
        ShardsCommand.class,
        RouteCommand.class,
        HistoryCommand.class,
        RollbackCommand.class,
        CleanupCommand.class,
        SchemaCommand.class,
        ExecCommand.class,
        RefreshCommand.class,
        HealthCommand.class,
        ServeCommand.class,
        CommandLine.HelpCommand.class,
    },
    footer = {"",
        "Beam jobs: build (a snapshot from files; 'shardy build --help'), demo. bin/shardy "
            + "runs them with this same front end on the pipelines or runners classpath; the "
            + "shared options (--s3-option, --credentials-file, --profile, --output-format, -v) "
            + "work for them as for the read commands.",
        "",
        "Output: --output-format defaults to table on a terminal and jsonl otherwise (one JSON "
            + "object per line, for pipes and scripts).",
        "Exit codes (as the Python CLI): 0 ok (a missing key too, unless get --strict), 1 an "
            + "operation failed or get --strict found nothing, 2 usage error; health: 0 "
            + "healthy, 1 degraded, 2 unhealthy.",
        "Python CLI files work unchanged: reader.toml (--config, $SHARDY_CONFIG), "
            + "credentials.toml (--credentials, $SHARDY_CREDENTIALS), exec scripts "
            + "(commands: ...). Deliberate differences: see each command's --help and the README.",
        "Environment: SHARDY_CURRENT, SHARDY_CONFIG, SHARDY_CREDENTIALS "
            + "(or SHARDY_CREDENTIALS_FILE), SHARDY_JAVA_OPTS.",
        "",
        "Examples:",
        "  shardy --current-url s3://bucket/snapshots/users/_CURRENT info",
        "  export SHARDY_CURRENT=file:///tmp/users/_CURRENT",
        "  shardy get 42",
        "  shardy --output-format json history --limit 5",
        "  shardy --offset 1 get 42          # read the snapshot before the current one",
        "  shardy rollback --offset 1",
        "  shardy --s3-option endpoint_url=http://127.0.0.1:9000 \\",
        "      --s3-option addressing_style=path --profile minio shards",
        "  shardy build --input=examples/data/users.jsonl --key-field=id --num-dbs=8 \\",
        "      --output=s3://bucket/users --s3-option endpoint_url=http://127.0.0.1:9000 \\",
        "      --s3-option addressing_style=path --profile minio",
        "  printf 'get 1\\nrefresh\\nget 1\\n' | shardy"})
public final class ShardyCli implements Callable<Integer> {

  @Option(names = "--current-url", scope = ScopeType.INHERIT, paramLabel = "URL", order = 1,
      description = "The snapshot's _CURRENT pointer: s3://bucket/prefix/_CURRENT or "
          + "file:///dir/_CURRENT, or a PostgreSQL manifest store: "
          + "jdbc:postgresql://host:5432/db?user=ROLE&dataset=NAME (this project's tables) or "
          + "...?user=ROLE&layout=python&table_name=T&pointer_table=P (the Python system's "
          + "tables, shared with it) (default: $SHARDY_CURRENT).")
  String currentUrl;

  @Option(names = "--s3-option", scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE", order = 2,
      description = "S3 connection setting, repeatable (the one spelling for every command, "
          + "build included): endpoint_url, addressing_style (path|virtual|auto), region, "
          + "connect_timeout, read_timeout, api_call_timeout (seconds), max_attempts, "
          + "max_connections. E.g. --s3-option endpoint_url=http://127.0.0.1:9000 "
          + "--s3-option addressing_style=path. Keys come from --credentials-file/--profile "
          + "(else the AWS default chain).")
  List<String> s3Options = new ArrayList<>();

  @Option(names = {"--credentials", "--credentials-file"}, scope = ScopeType.INHERIT,
      paramLabel = "FILE", order = 3,
      description = "The Python CLI's credentials.toml: [profile] sections of endpoint_url, "
          + "region, access_key_id, secret_access_key, session_token, addressing_style, "
          + "signature_version (s3v4 only), verify_ssl (true only), connect_timeout, "
          + "read_timeout, max_attempts. Default: $SHARDY_CREDENTIALS, $SHARDY_CREDENTIALS_FILE, "
          + "./credentials.toml, ~/.config/shardy/credentials.toml, else the AWS default chain.")
  Path credentialsFile;

  @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME", order = 4,
      description = "Profile of the credentials file (default: reader.toml's "
          + "credentials_profile, else default). A JVM extension: the Python CLI takes it from "
          + "reader.toml only.")
  String profile;

  @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE", order = 4,
      description = "The Python CLI's reader.toml ([reader] current_url, local_root, "
          + "credentials_profile, max_workers, thread_safety; [output] format, value_encoding, "
          + "null_repr); command-line options win. Default: $SHARDY_CONFIG, ./reader.toml, "
          + "~/.config/shardy/reader.toml.")
  Path configFile;

  @Option(names = "--output-format", scope = ScopeType.INHERIT, paramLabel = "FORMAT", order = 5,
      description = "json, jsonl, table or text (default: table on a terminal, else jsonl).")
  OutputFormat outputFormat;

  @ArgGroup(exclusive = true, order = 6)
  Pin pin;

  /** --ref and --offset exclude each other. */
  static final class Pin {
    @Option(names = "--ref", paramLabel = "REF", required = true,
        description = "Read this manifest (its full URL, see 'history') instead of _CURRENT; "
            + "_CURRENT is not changed.")
    String ref;

    @Option(names = "--offset", paramLabel = "N", required = true,
        description = "Read the manifest N before the current one (0 = current); _CURRENT is "
            + "not changed.")
    Integer offset;
  }

  @Option(names = "--cache-dir", scope = ScopeType.INHERIT, paramLabel = "DIR", order = 7,
      description = "Where shards are downloaded (kept, reused next time). Default: a "
          + "temporary directory removed at exit.")
  Path cacheDir;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, order = 8,
      description = "Log what the library does (stderr) and print stack traces on errors.")
  boolean verbose;

  @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "FORMAT", order = 9,
      description = "Log lines (stderr) as text (default) or json: one object per line with "
          + "level, logger, message, the MDC and key/value pairs (run_id, shard_id, "
          + "manifest_ref). Default: $SHARDY_LOG_FORMAT, else text. Level: warn, info with -v, "
          + "or $SHARDY_LOG_LEVEL.")
  void logFormat(String format) {
    // Applied before parsing (LogOptions.prepare, in main); here only checked.
    if (!LogOptions.FORMATS.contains(format.toLowerCase(java.util.Locale.ROOT))) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--log-format must be one "
          + "of " + LogOptions.FORMATS + ", got '" + format + "'");
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final CliContext ctx;
  private final Session shared;
  private volatile Session session;

  /** A top-level invocation. */
  public ShardyCli(CliContext ctx) {
    this(ctx, null);
  }

  /** A line of the REPL or an op of an exec script, run on the outer invocation's session. */
  ShardyCli(CliContext ctx, Session shared) {
    this.ctx = ctx;
    this.shared = shared;
  }

  /** Runs {@code shardy args...} and returns the exit code; closes what it opened. */
  public static int run(CliContext ctx, String... args) {
    ShardyCli root = new ShardyCli(ctx);
    try {
      return commandLine(root).execute(args);
    } finally {
      root.closeSession();
    }
  }

  public static void main(String[] args) {
    // Logging reads its format and level once, at the first logger: before anything logs.
    LogOptions.prepare(args, System.getenv());
    // Undertow (shardy serve) logs through jboss-logging: to SLF4J too, not java.util.logging.
    System.setProperty("org.jboss.logging.provider", "slf4j");
    ShardyCli root = new ShardyCli(CliContext.system());
    // Ctrl-C: still remove the temporary shard cache (without waiting for the command).
    Thread cleanup = new Thread(() -> {
      Session s = root.session;
      if (s != null) {
        s.removeTempCacheNow();
      }
    }, "shardy-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    int code = commandLine(root).execute(args);
    root.closeSession();
    System.exit(code);
  }

  /** A configured picocli command line over {@code root}: streams, converters, exit codes. */
  static CommandLine commandLine(ShardyCli root) {
    CommandLine cl = new CommandLine(root);
    // Before the converters and streams below, which apply to the subcommands added so far.
    addJobCommands(cl);
    cl.setOut(new PrintWriter(root.ctx.out(), true));
    cl.setErr(new PrintWriter(root.ctx.err(), true));
    cl.registerConverter(OutputFormat.class, OutputFormat::parse);
    cl.registerConverter(ValueFormat.class, ValueFormat::parse);
    cl.setParameterExceptionHandler((ex, args) -> {
      String cmd = ex.getCommandLine().getCommandSpec().qualifiedName();
      String m = ex.getMessage().startsWith("Error: ") ? ex.getMessage().substring(7)
          : ex.getMessage();
      root.ctx.err().println("shardy: error: " + m + " (see '" + cmd + " --help')");
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      root.ctx.err().println("shardy: error: " + message(ex));
      if (root.verbose || (root.shared != null && root.shared.settings().verbose())) {
        ex.printStackTrace(root.ctx.err());
      }
      return exitCode(ex);
    });
    return cl;
  }

  /** {@code build} and {@code demo}: the providers' when on the classpath, else placeholders. */
  private static void addJobCommands(CommandLine cl) {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (JobCommands provider : java.util.ServiceLoader.load(JobCommands.class)) {
      for (Object command : provider.commands()) {
        CommandLine sub = new CommandLine(command);
        cl.addSubcommand(sub);
        names.add(sub.getCommandName());
      }
    }
    for (Object stub : JobStubs.all()) {
      CommandLine sub = new CommandLine(stub);
      if (!names.contains(sub.getCommandName())) {
        cl.addSubcommand(sub);
      }
    }
  }

  /** The one-line message for an error, with "(retryable)" when retrying may help. */
  static String message(Throwable ex) {
    String m = ex.getMessage() == null ? ex.toString() : ex.getMessage();
    if (ex instanceof ShardyfusionException s && s.retryable()) {
      m += " (retryable)";
    }
    return m.replace('\n', ' ');
  }

  /** 2 for usage errors, 1 for everything else. */
  static int exitCode(Throwable ex) {
    return ex instanceof UsageException || ex instanceof CommandLine.ParameterException ? 2 : 1;
  }

  @Override
  public Integer call() {
    if (shared != null) {
      throw new UsageException("type a command (get, multiget, info, shards, route, history, "
          + "rollback, schema, exec, refresh, health, help) or quit");
    }
    return new Repl(session()).run();
  }

  /** The session: this invocation's own, or the outer one for REPL lines and exec ops. */
  Session session() {
    if (shared != null) {
      if (currentUrl != null || !s3Options.isEmpty() || credentialsFile != null
          || profile != null || outputFormat != null || pin != null || cacheDir != null
          || configFile != null) {
        throw new UsageException("global options (--current-url, --ref, ...) belong on the "
            + "shardy command line that starts the REPL or exec, not on one of its lines");
      }
      return shared;
    }
    if (session == null) {
      session = new Session(ctx, settings(ReaderToml.load(configFile, ctx), allS3Options(),
          pin == null ? null : pin.ref, pin == null ? null : pin.offset));
    }
    return session;
  }

  /** The global options over reader.toml's values: the command line wins. */
  private GlobalSettings settings(ReaderToml config, List<String> s3, String ref,
      Integer offset) {
    // --current-url, then $SHARDY_CURRENT (read by SnapshotTarget), then reader.toml.
    String url = currentUrl != null ? currentUrl
        : ctx.env(SnapshotTarget.ENV) != null ? null : config.currentUrl();
    return new GlobalSettings(url, s3, credentialsFile,
        profile != null ? profile : config.credentialsProfile(),
        outputFormat != null ? outputFormat : config.format(), ref, offset,
        cacheDir != null ? cacheDir : config.localRoot(), verbose, config);
  }

  /**
   * Every --s3-option of the command line, in order, before and after the subcommand: picocli
   * resets an inherited option's list when the subcommand's own occurrences start, which would
   * drop {@code shardy --s3-option a=1 get 42 --s3-option b=2}'s first one.
   */
  private List<String> allS3Options() {
    CommandLine.ParseResult parsed = spec == null ? null : spec.commandLine().getParseResult();
    if (parsed == null) {
      return s3Options;
    }
    List<String> all = new ArrayList<>();
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      CommandLine.Model.OptionSpec o = p.matchedOption("--s3-option");
      if (o != null) {
        all.addAll(o.originalStringValues());
      }
    }
    return all;
  }

  /**
   * The global options over reader.toml's, for the snapshot at {@code url} (serve: one per
   * --snapshot NAME=URL).
   */
  GlobalSettings settingsFor(String url) {
    GlobalSettings s = settings(ReaderToml.load(configFile, ctx), allS3Options(), null, null);
    return new GlobalSettings(url, s.s3Options(), s.credentialsFile(), s.profile(),
        s.outputFormat(), null, null, s.cacheDir(), s.verbose(), s.config());
  }

  /** --current-url as given on the command line, or null. */
  String currentUrlOption() {
    return currentUrl;
  }

  /** --cache-dir (or reader.toml's local_root), or null for a temporary one. */
  Path cacheDirOption() {
    return cacheDir != null ? cacheDir : ReaderToml.load(configFile, ctx).localRoot();
  }

  /** Whether --ref or --offset was given. */
  boolean pinOption() {
    return pin != null;
  }

  /** Where this invocation reads and writes (for subcommands in other modules). */
  public CliContext context() {
    return ctx;
  }

  /** --output-format, or null when not given. */
  public OutputFormat outputFormat() {
    return outputFormat;
  }

  /** -v / --verbose. */
  public boolean verbose() {
    return verbose;
  }

  /**
   * The S3 connection and credentials of the shared options, or null when none is given (no
   * --s3-option, no credentials file found, no --profile): then the caller's defaults apply.
   *
   * @throws UsageException for bad S3 options or a bad credentials file
   */
  public ManifestStoreResolver.Access sharedS3Access() {
    List<String> s3 = allS3Options();
    ReaderToml config = ReaderToml.load(configFile, ctx);
    if (s3.isEmpty() && profile == null && config.credentialsProfile() == null
        && CredentialsFile.locate(credentialsFile, ctx) == null) {
      return null;
    }
    return SnapshotTarget.access(settings(config, s3, null, null), ctx);
  }

  /** Whether this root runs on an outer session (a REPL line or an exec op). */
  boolean nested() {
    return shared != null;
  }

  private synchronized void closeSession() {
    if (session != null) {
      session.close();
    }
  }

  /** The version: the jar's Implementation-Version when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ShardyCli.class.getPackage().getImplementationVersion();
      return new String[] {"shardy (shardyfusion JVM) " + (v == null ? "development build" : v)};
    }
  }
}
