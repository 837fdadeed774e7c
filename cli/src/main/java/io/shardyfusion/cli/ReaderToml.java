package io.shardyfusion.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python CLI's {@code reader.toml}, read unchanged:
 *
 * <pre>
 * [reader]
 * current_url = "s3://bucket/prefix/_CURRENT"   # after --current-url and $SHARDY_CURRENT
 * local_root = "/tmp/shardyfusion"                # the shard cache (--cache-dir wins)
 * credentials_profile = "default"                 # the credentials.toml profile (--profile wins)
 * max_workers = 4                                 # parallel shard downloads here
 * thread_safety = "lock"                          # lock | pool: accepted, no effect (see below)
 * [output]
 * format = "jsonl"                           # json, jsonl, table, text (--output-format wins)
 * value_encoding = "base64"                       # base64 | utf8 | hex (--value-format wins)
 * null_repr = "null"                              # the value printed for a missing key
 * </pre>
 *
 * Found at {@code --config}, else {@code $SHARDY_CONFIG}, else {@code ./reader.toml}, else
 * {@code ~/.config/shardy/reader.toml} (the Python CLI's order). Keys of the Python file that mean
 * nothing here (slate_env_file, reader_backend, sqlite_*, pool_checkout_timeout, s3_prefix,
 * [manifest_store] backend = "s3") are accepted with a warning naming them; an unknown key is an
 * error, as is a bad value.
 *
 * <p>{@code thread_safety}: the Python reader either locks one handle per shard or pools several.
 * The JVM reader needs neither (its reads take no lock and serve any number of threads), so both
 * values are accepted and mean the same here.
 */
record ReaderToml(Path file, String currentUrl, Path localRoot, String credentialsProfile,
    Integer maxWorkers, String threadSafety, OutputFormat format, ValueFormat valueEncoding,
    String nullRepr) {

  /** The environment variable naming the file. */
  static final String ENV = "SHARDY_CONFIG";

  static final ReaderToml NONE = new ReaderToml(null, null, null, null, null, null, null, null,
      null);

  private static final Set<String> READER_KEYS = Set.of("current_url", "local_root",
      "credentials_profile", "max_workers", "thread_safety");
  private static final Set<String> READER_NO_EFFECT = Set.of("slate_env_file", "reader_backend",
      "sqlite_mode", "sqlite_auto_per_shard_threshold_bytes", "sqlite_auto_total_budget_bytes",
      "pool_checkout_timeout", "s3_prefix");
  private static final Set<String> OUTPUT_KEYS = Set.of("format", "value_encoding", "null_repr");
  private static final Map<String, String> SECTIONS = Map.of("reader", "", "output", "",
      "manifest_store", "");

  /**
   * The file to use, or null when there is none.
   *
   * @throws UsageException when a file named explicitly (flag or environment) does not exist
   */
  static Path locate(Path explicit, CliContext ctx) {
    return TomlFiles.locate(explicit, "--config", List.of(ENV), "reader.toml", ctx);
  }

  /** Loads the located file, or {@link #NONE}. */
  static ReaderToml load(Path explicit, CliContext ctx) {
    Path file = locate(explicit, ctx);
    return file == null ? NONE : load(file, ctx.err());
  }

  /**
   * @throws UsageException for malformed TOML, an unknown key or a bad value (naming it)
   */
  static ReaderToml load(Path file, PrintStream err) {
    JsonNode root = TomlFiles.read(file, "config file");
    if (root == null) {
      return new ReaderToml(file, null, null, null, null, null, null, null, null);
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String s = it.next();
      if (!SECTIONS.containsKey(s) || !root.get(s).isObject()) {
        throw new UsageException("config file " + file + ": unknown section or key '" + s
            + "'; sections: [reader], [output], [manifest_store]");
      }
    }
    JsonNode reader = root.path("reader");
    JsonNode output = root.path("output");
    check(file, "reader", reader, READER_KEYS, READER_NO_EFFECT, err);
    check(file, "output", output, OUTPUT_KEYS, Set.of(), err);
    JsonNode store = root.path("manifest_store");
    for (Iterator<String> it = store.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (k.equals("backend") && store.get(k).asText().equals("s3")) {
        continue;
      }
      if (k.equals("backend") && store.get(k).asText().equals("postgres")) {
        throw new UsageException("config file " + file + ": [manifest_store] backend = "
            + "\"postgres\" is not read here; pass --current-url "
            + "jdbc:postgresql://host/db?user=ROLE&layout=python&table_name=TABLE_NAME (the "
            + "Python system's tables, its table_name) instead");
      }
      if (Set.of("dsn", "table_name", "ensure_table").contains(k)) {
        err.println("shardy: warning: config file " + file + ": [manifest_store] " + k
            + " has no effect here (manifests in PostgreSQL: --current-url "
            + "jdbc:postgresql://...?layout=python&table_name=...)");
        continue;
      }
      throw new UsageException("config file " + file + ": unknown key [manifest_store] " + k
          + " = " + store.get(k));
    }
    String threadSafety = text(reader, "thread_safety");
    if (threadSafety != null && !threadSafety.equals("lock") && !threadSafety.equals("pool")) {
      throw new UsageException("config file " + file + ": [reader] thread_safety must be lock "
          + "or pool, got '" + threadSafety + "'");
    }
    Integer maxWorkers = null;
    if (reader.has("max_workers")) {
      JsonNode n = reader.get("max_workers");
      if (!n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > 256) {
        throw new UsageException("config file " + file + ": [reader] max_workers must be an "
            + "integer in 1..256, got " + n);
      }
      maxWorkers = n.asInt();
    }
    String root1 = text(reader, "local_root");
    OutputFormat format = null;
    ValueFormat encoding = null;
    try {
      String f = text(output, "format");
      format = f == null ? null : OutputFormat.parse(f);
    } catch (IllegalArgumentException e) {
      throw new UsageException("config file " + file + ": [output] format: " + e.getMessage());
    }
    String enc = text(output, "value_encoding");
    if (enc != null) {
      if (!List.of("base64", "utf8", "hex").contains(enc)) {
        throw new UsageException("config file " + file + ": [output] value_encoding must be "
            + "base64, utf8 or hex, got '" + enc + "'");
      }
      encoding = ValueFormat.parse(enc);
    }
    return new ReaderToml(file, text(reader, "current_url"),
        root1 == null ? null : Path.of(root1), text(reader, "credentials_profile"), maxWorkers,
        threadSafety, format, encoding,
        output.has("null_repr") ? output.get("null_repr").asText() : null);
  }

  private static void check(Path file, String section, JsonNode node, Set<String> known,
      Set<String> noEffect, PrintStream err) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (known.contains(k)) {
        JsonNode v = node.get(k);
        if (!v.isValueNode()) {
          throw new UsageException("config file " + file + ": [" + section + "] " + k
              + " must be a single value, got " + v);
        }
        continue;
      }
      if (noEffect.contains(k)) {
        err.println("shardy: warning: config file " + file + ": [" + section + "] " + k
            + " has no effect on the JVM CLI (its reader has one shard backend per manifest)");
        continue;
      }
      throw new UsageException("config file " + file + ": unknown key [" + section + "] " + k
          + "; known: " + String.join(", ", new java.util.TreeSet<>(known)));
    }
  }

  private static String text(JsonNode section, String field) {
    JsonNode v = section.get(field);
    // The Python CLI treats an empty current_url as unset.
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }
}
