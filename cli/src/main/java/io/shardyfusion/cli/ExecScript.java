package io.shardyfusion.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@code exec} script, YAML:
 *
 * <pre>
 * on_error: continue        # or stop (default): end at the first failed op
 * ops:
 *   - op: get
 *     key: 42
 *     value_format: hex     # optional: auto, utf8, base64, hex
 *   - {op: multiget, keys: [1, 2, 3]}
 *   - {op: route, key: 7}
 *   - {op: info}
 *   - {op: shards}
 *   - {op: history, limit: 5}
 *   - {op: refresh}
 * </pre>
 *
 * The whole script is checked before any op runs: an unknown op or field is a usage error.
 *
 * @param continueOnError false = stop at the first failed op
 * @param steps each op as the command-line words of its subcommand
 */
record ExecScript(boolean continueOnError, List<Step> steps) {

  /** One op: its name and the subcommand words that run it. */
  record Step(String op, List<String> args) {}

  /** Per op, its allowed fields beside {@code op} (required ones first, marked by REQUIRED). */
  private static final Map<String, List<String>> FIELDS = new LinkedHashMap<>();
  private static final Set<String> REQUIRED = Set.of("key", "keys");

  static {
    FIELDS.put("get", List.of("key", "value_format", "routing_context"));
    FIELDS.put("multiget", List.of("keys", "value_format", "routing_context"));
    FIELDS.put("route", List.of("key", "routing_context"));
    FIELDS.put("info", List.of());
    FIELDS.put("shards", List.of());
    FIELDS.put("history", List.of("limit"));
    FIELDS.put("refresh", List.of());
  }

  /**
   * @throws UsageException for unreadable YAML or an invalid script
   */
  static ExecScript load(Path file) {
    return load(file, read(file));
  }

  /**
   * @throws UsageException for unreadable YAML
   */
  static JsonNode read(Path file) {
    try {
      return new YAMLMapper().readTree(file.toFile());
    } catch (JacksonException e) {
      throw new UsageException("exec script " + file + " is not valid YAML: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UsageException("cannot read exec script " + file + ": " + e.getMessage());
    }
  }

  /** This CLI's own format ({@code ops:}), already parsed. */
  static ExecScript load(Path file, JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new UsageException("exec script " + file + " must be a mapping with 'commands:' "
          + "(the Python CLI's format) or 'ops:' (a list)");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("on_error") && !f.equals("ops")) {
        throw new UsageException("exec script " + file + ": unknown field '" + f
            + "'; allowed: on_error, ops");
      }
    }
    String onError = root.path("on_error").asText("stop");
    if (!onError.equals("stop") && !onError.equals("continue")) {
      throw new UsageException("exec script " + file + ": on_error must be stop or continue, "
          + "got '" + onError + "'");
    }
    JsonNode ops = root.get("ops");
    if (ops == null || !ops.isArray() || ops.isEmpty()) {
      throw new UsageException("exec script " + file + ": 'ops' must be a non-empty list");
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      steps.add(step(ops.get(i), "exec script " + file + ", op #" + (i + 1)));
    }
    return new ExecScript(onError.equals("continue"), steps);
  }

  private static Step step(JsonNode node, String where) {
    if (!node.isObject() || !node.path("op").isTextual()) {
      throw new UsageException(where + ": each op is a mapping with 'op: NAME'; ops: "
          + String.join(", ", FIELDS.keySet()));
    }
    String op = node.get("op").asText();
    List<String> allowed = FIELDS.get(op);
    if (allowed == null) {
      throw new UsageException(where + ": unknown op '" + op + "'; ops: "
          + String.join(", ", FIELDS.keySet()));
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("op") && !allowed.contains(f)) {
        throw new UsageException(where + " (" + op + "): unknown field '" + f + "'; allowed: "
            + (allowed.isEmpty() ? "none" : String.join(", ", allowed)));
      }
    }
    List<String> args = new ArrayList<>(List.of(op));
    if (op.equals("get") || op.equals("multiget")) {
      args.add("--strict"); // in this format a missing key fails the op
    }
    if (node.has("routing_context")) {
      if (!node.get("routing_context").isObject()) {
        throw new UsageException(where + " (" + op + "): routing_context must be a mapping");
      }
      args.add("--routing-context=" + node.get("routing_context").toString());
    }
    if (node.has("value_format")) {
      args.add("--value-format=" + node.get("value_format").asText());
    }
    if (node.has("limit")) {
      args.add("--limit=" + node.get("limit").asText());
    }
    args.add("--"); // keys may start with '-': never options
    for (String f : allowed) {
      if (REQUIRED.contains(f) && !node.has(f)) {
        throw new UsageException(where + " (" + op + "): '" + f + "' is required");
      }
    }
    if (node.has("key")) {
      args.add(scalar(node.get("key"), where));
    }
    if (node.has("keys")) {
      JsonNode keys = node.get("keys");
      if (!keys.isArray() || keys.isEmpty()) {
        throw new UsageException(where + " (" + op + "): 'keys' must be a non-empty list");
      }
      keys.forEach(k -> args.add(scalar(k, where)));
    }
    return new Step(op, args);
  }

  private static String scalar(JsonNode key, String where) {
    if (!key.isValueNode() || key.isNull()) {
      throw new UsageException(where + ": a key must be a number or a string, got " + key);
    }
    return key.asText();
  }
}
