package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.ShardRouters;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@code exec} script in the Python CLI's format ({@code shardyfusion/cli/batch.py}), run
 * unchanged and printing what the Python CLI prints:
 *
 * <pre>
 * on_error: continue            # stop (default) or continue
 * commands:
 *   - {op: get, key: 42, routing_context: {region: eu}}
 *   - {op: multiget, keys: [1, 2, 3]}
 *   - {op: route, key: 7}
 *   - {op: refresh}
 *   - {op: info}
 *   - {op: shards}
 *   - {op: health, staleness_threshold: 3600}
 *   - {op: history, limit: 5}
 * </pre>
 *
 * One result object per command, as the Python builders shape them ({@code {"op": "get", "key":
 * "42", "found": true, "value": "<base64>"}}; errors {@code {"op", "error", "key"}}), in the
 * output format (json becomes jsonl, as in Python), values in reader.toml's value_encoding
 * (default base64) and missing values as its null_repr (default "null"). A command that fails
 * (a bad or missing key field, an unknown op, a read error) prints an error result and counts as
 * an error; a key that is not found is not an error. Exit 1 when any command failed.
 */
final class PythonBatch {
  static final List<String> OPS = List.of("get", "multiget", "refresh", "info", "shards",
      "route", "health", "history");
  private static final Map<String, Set<String>> FIELDS = Map.of(
      "get", Set.of("key", "routing_context"),
      "multiget", Set.of("keys", "routing_context"),
      "route", Set.of("key", "routing_context"),
      "refresh", Set.of(), "info", Set.of(), "shards", Set.of(),
      "health", Set.of("staleness_threshold", "max_staleness"),
      "history", Set.of("limit"));

  private PythonBatch() {}

  /** Whether a parsed script is in the Python format (it has {@code commands:}). */
  static boolean isPythonFormat(JsonNode root) {
    return root != null && root.isObject() && root.has("commands");
  }

  /**
   * Checks the script's shape; unknown top-level keys (ignored by the Python CLI too) are
   * named in a warning.
   *
   * @return whether to go on after a failed command
   * @throws UsageException when {@code commands} is not a list or on_error is not stop|continue
   */
  static boolean check(JsonNode root, Path file, PrintStream err) {
    if (!root.get("commands").isArray()) {
      throw new UsageException("exec script " + file + ": 'commands' must be a list of "
          + "operations");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("commands") && !f.equals("on_error")) {
        err.println("shardy: warning: exec script " + file + ": top-level key '" + f
            + "' has no meaning and is skipped (known: commands, on_error)");
      }
    }
    String onError = root.path("on_error").asText("stop");
    if (!onError.equals("stop") && !onError.equals("continue")) {
      throw new UsageException("exec script " + file + ": on_error must be stop or continue, "
          + "got '" + onError + "'");
    }
    return onError.equals("continue");
  }

  /** Runs the commands; returns the number that failed. */
  static int run(Session session, JsonNode root, Path file, PrintStream out, OutputFormat format) {
    boolean continueOnError = check(root, file, session.context().err());
    OutputFormat fmt = format == OutputFormat.JSON ? OutputFormat.JSONL : format;
    ValueFormat encoding = session.settings().config().valueEncoding() != null
        ? session.settings().config().valueEncoding() : ValueFormat.BASE64;
    String nullRepr = session.nullRepr() != null ? session.nullRepr() : "null";
    int errors = 0;
    JsonNode commands = root.get("commands");
    for (int i = 0; i < commands.size(); i++) {
      JsonNode cmd = commands.get(i);
      Map<String, Object> result;
      boolean failed = false;
      if (!cmd.isObject()) {
        result = error("unknown", null, "Command #" + i + " is not a mapping");
        failed = true;
      } else {
        String op = cmd.path("op").isValueNode() && !cmd.path("op").isNull()
            ? cmd.get("op").asText() : null;
        try {
          warnUnknownFields(session, file, i, op, cmd);
          result = execute(session, op, cmd, encoding, nullRepr);
        } catch (RuntimeException e) {
          result = error(String.valueOf(op), keyHint(cmd), ShardyCli.message(e));
          failed = true;
        }
      }
      out.println(render(result, fmt));
      out.flush();
      if (failed) {
        errors++;
        if (!continueOnError) {
          break;
        }
      }
    }
    return errors;
  }

  private static void warnUnknownFields(Session session, Path file, int i, String op,
      JsonNode cmd) {
    Set<String> allowed = FIELDS.get(op);
    if (allowed == null) {
      return; // an unknown op: the command fails with the list of ops
    }
    for (Iterator<String> it = cmd.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("op") && !allowed.contains(f)) {
        session.context().err().println("shardy: warning: exec script " + file + ", command #"
            + i + " (" + op + "): field '" + f + "' has no meaning and is skipped");
      }
    }
  }

  private static String keyHint(JsonNode cmd) {
    if (cmd.hasNonNull("key")) {
      return cmd.get("key").asText();
    }
    return cmd.has("keys") && !cmd.get("keys").isEmpty() ? cmd.get("keys").toString() : null;
  }

  private static Map<String, Object> execute(Session session, String op, JsonNode cmd,
      ValueFormat encoding, String nullRepr) {
    if (op == null || !OPS.contains(op)) {
      throw new UsageException("Unknown op: '" + op + "'. Supported: " + String.join(", ", OPS));
    }
    switch (op) {
      case "get": {
        String key = requiredKey(cmd, "get");
        ShardedReader reader = session.reader();
        Manifest m = reader.manifest();
        Object k = KeyParser.parse(key, m.keyEncoding());
        byte[] value = reader.get(k, RoutingContexts.fromNode(cmd.get("routing_context"),
            m.shardingSpec(), "get"));
        Map<String, Object> r = fields("op", "get", "key", key, "found", value != null);
        r.put("value", value == null ? nullRepr : encoding.render(value));
        return r;
      }
      case "multiget": {
        JsonNode keys = cmd.get("keys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
          throw new UsageException("'multiget' command requires a non-empty 'keys' list");
        }
        ShardedReader reader = session.reader();
        Manifest m = reader.manifest();
        List<Object> parsed = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        for (JsonNode k : keys) {
          typed.add(k.asText());
          parsed.add(KeyParser.parse(k.asText(), m.keyEncoding()));
        }
        Map<String, Object> context = RoutingContexts.fromNode(cmd.get("routing_context"),
            m.shardingSpec(), "multiget");
        List<byte[]> values = context == null ? reader.multiGetList(parsed)
            : MultiGetCommand.lookUp(reader, parsed, context);
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < typed.size(); i++) {
          byte[] v = values.get(i);
          Map<String, Object> row = fields("key", typed.get(i), "found", v != null);
          if (v != null) {
            row.put("value", encoding.render(v));
          }
          results.add(row);
        }
        return fields("op", "multiget", "results", results);
      }
      case "refresh": {
        boolean opened = !session.readerOpen();
        ShardedReader reader = session.reader();
        return fields("op", "refresh", "changed", !opened && reader.refresh());
      }
      case "info":
        return withOp("info", new InfoCommand().run(session).rows().get(0));
      case "shards":
        return fields("op", "shards", "shards", new ShardsCommand().run(session).rows());
      case "route": {
        String key = requiredKey(cmd, "route");
        Manifest m = session.served().manifest();
        Object k = KeyParser.parse(key, m.keyEncoding());
        Map<String, Object> context = RoutingContexts.fromNode(cmd.get("routing_context"),
            m.shardingSpec(), "route");
        var router = ShardRouters.create(m.shardingSpec(), m.numDbs(), m.keyEncoding());
        return fields("op", "route", "key", key, "db_id",
            context == null ? router.route(k) : router.route(k, context));
      }
      case "health": {
        HealthCommand health = new HealthCommand();
        JsonNode limit = cmd.hasNonNull("staleness_threshold") ? cmd.get("staleness_threshold")
            : cmd.get("max_staleness");
        health.maxStaleness = limit == null || limit.isNull() ? null : limit.asText();
        return withOp("health", health.run(session).rows().get(0));
      }
      case "history": {
        int limit = cmd.path("limit").asInt(10);
        if (limit < 1) {
          throw new UsageException("'history' limit must be at least 1, got " + limit);
        }
        List<Map<String, Object>> manifests = new ArrayList<>();
        var entries = session.target().manifests().listManifests(limit);
        for (int i = 0; i < entries.size(); i++) {
          var e = entries.get(i);
          manifests.add(fields("offset", i, "run_id", e.runId(), "published_at",
              e.createdAt() == null ? null : e.createdAt().toString(), "ref", e.ref()));
        }
        return fields("op", "history", "manifests", manifests);
      }
      default:
        throw new AssertionError(op);
    }
  }

  private static String requiredKey(JsonNode cmd, String op) {
    JsonNode key = cmd.get("key");
    if (key == null || key.isNull()) {
      throw new UsageException("'" + op + "' command requires a 'key' field");
    }
    if (!key.isValueNode()) {
      throw new UsageException("'" + op + "' command: 'key' must be a number or a string");
    }
    return key.asText();
  }

  private static Map<String, Object> withOp(String op, Map<String, Object> row) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("op", op);
    r.putAll(row);
    return r;
  }

  private static Map<String, Object> error(String op, String key, String message) {
    Map<String, Object> r = fields("op", op, "error", message);
    if (key != null) {
      r.put("key", key);
    }
    return r;
  }

  /** One result as the Python CLI's formatter prints it (jsonl, text, table). */
  @SuppressWarnings("unchecked")
  static String render(Map<String, Object> r, OutputFormat fmt) {
    String op = String.valueOf(r.get("op"));
    if (fmt == OutputFormat.TEXT || (fmt == OutputFormat.TABLE && op.equals("health"))) {
      if (r.containsKey("error")) {
        return "error: " + r.get("error");
      }
      switch (op) {
        case "get":
          return r.get("key") + "=" + (Boolean.TRUE.equals(r.get("found")) ? r.get("value")
              : "null");
        case "multiget": {
          List<String> lines = new ArrayList<>();
          for (Map<String, Object> row : (List<Map<String, Object>>) r.get("results")) {
            lines.add(row.get("key") + "=" + (Boolean.TRUE.equals(row.get("found"))
                ? row.get("value") : "null"));
          }
          return String.join("\n", lines);
        }
        case "refresh":
          return "changed=" + (Boolean.TRUE.equals(r.get("changed")) ? "True" : "False");
        case "route":
          return r.get("key") + " -> shard " + r.get("db_id");
        case "health":
          return "status=" + r.get("status") + "  manifest_age=" + r.get("manifest_age_seconds")
              + "s  shards=" + r.get("num_shards")
              + (Boolean.TRUE.equals(r.get("is_closed")) ? "  CLOSED" : "");
        case "history": {
          List<String> lines = new ArrayList<>();
          for (Map<String, Object> m : (List<Map<String, Object>>) r.get("manifests")) {
            lines.add("[" + m.get("offset") + "] " + m.get("published_at") + "  run_id="
                + m.get("run_id"));
          }
          return lines.isEmpty() ? "(no manifests)" : String.join("\n", lines);
        }
        case "info": {
          List<String> lines = new ArrayList<>();
          r.forEach((k, v) -> {
            if (!k.equals("op")) {
              lines.add(k + "=" + (v instanceof Map || v instanceof List
                  ? Output.json(v, false) : v));
            }
          });
          return String.join("\n", lines);
        }
        default:
          return Output.json(r, false);
      }
    }
    if (fmt == OutputFormat.TABLE) {
      if (op.equals("multiget") && !r.containsKey("error")) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) r.get("results");
        int kw = 3;
        int vw = 5;
        for (Map<String, Object> row : rows) {
          kw = Math.max(kw, String.valueOf(row.get("key")).length());
          vw = Math.max(vw, Boolean.TRUE.equals(row.get("found"))
              ? String.valueOf(row.get("value")).length() : 4);
        }
        String f = "%-" + kw + "s  %-" + vw + "s";
        String header = String.format(f, "KEY", "VALUE");
        List<String> lines = new ArrayList<>(List.of(header, "-".repeat(header.length())));
        for (Map<String, Object> row : rows) {
          lines.add(String.format(f, row.get("key"), Boolean.TRUE.equals(row.get("found"))
              ? row.get("value") : "null"));
        }
        return String.join("\n", lines);
      }
      return Output.json(r, true);
    }
    return Output.json(r, false);
  }
}
