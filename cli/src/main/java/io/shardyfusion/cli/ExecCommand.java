package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code shardy exec --script FILE [--output FILE]}: runs a YAML script on one reader and prints
 * one result per op. Two formats: the Python CLI's ({@code commands:}, see {@link PythonBatch})
 * and this CLI's own ({@code ops:}, see {@link ExecScript}).
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
    description = "Run a YAML script on one reader; print one result per command.",
    footer = {"", "Two script formats, told apart by their list key:",
        "",
        "1. The Python CLI's (commands:), run unchanged with its output:",
        "  on_error: continue      # stop (default) or continue",
        "  commands:",
        "    - {op: get, key: 42, routing_context: {region: eu, tier: 3}}",
        "    - {op: multiget, keys: [1, 2, 3]}",
        "    - {op: route, key: 7}",
        "    - {op: health, staleness_threshold: 3600}",
        "    - {op: history, limit: 5}",
        "  ops: get, multiget, refresh, info, shards, route, health, history.",
        "  Each result is the Python CLI's: {op, key, found, value}, {op, results}, {op, key, "
            + "db_id}, {op, changed}, errors {op, error, key}; json prints as jsonl, values in "
            + "reader.toml's value_encoding (default base64), a missing value as null_repr "
            + "(default \"null\"). A missing key is not an error; a failed command is (bad "
            + "key, unknown op, read error). Unknown fields are warned about and skipped.",
        "",
        "2. This CLI's own (ops:), kept as it was:",
        "  on_error: stop          # stop (default) or continue",
        "  ops:",
        "    - {op: get, key: 42}",
        "    - {op: multiget, keys: [1, 2, 3], value_format: hex}",
        "    - {op: route, key: 7, routing_context: {region: eu}}",
        "    - {op: refresh}",
        "  Each result: {index, op, ok, result | error}. An op fails when its command would "
            + "exit non-zero; a get or multiget of a missing key fails. Unknown fields are "
            + "errors (nothing runs).",
        "",
        "Exit codes: 0 every command ok, 1 any failed, 2 the script is invalid (nothing ran; "
            + "the Python CLI exits 1 here).",
        "", "Examples:",
        "  shardy exec --script checks.yaml",
        "  shardy exec --script checks.yaml --output results.jsonl",
        "  shardy --output-format json exec --script checks.yaml"})
final class ExecCommand implements Callable<Integer> {
  @ParentCommand
  ShardyCli root;

  @Option(names = "--script", paramLabel = "FILE", required = true,
      description = "The YAML script.")
  Path script;

  @Option(names = "--output", paramLabel = "FILE",
      description = "Write the results to FILE instead of stdout (replaced if it exists).")
  Path outputFile;

  @Override
  public Integer call() {
    com.fasterxml.jackson.databind.JsonNode tree = ExecScript.read(script);
    boolean python = PythonBatch.isPythonFormat(tree);
    if (python) {
      PythonBatch.check(tree, script, root.context().err());
    }
    ExecScript parsed = python ? null : ExecScript.load(script, tree);
    Session session = root.session();
    PrintStream file = outputFile == null ? null : open(outputFile);
    try {
      PrintStream out = file != null ? file : session.output().stream();
      if (python) {
        return PythonBatch.run(session, tree, script, out, session.output().format()) == 0
            ? 0 : 1;
      }
      return runOwn(session, parsed, new Output(out, session.output().format()));
    } finally {
      if (file != null) {
        file.close();
      }
    }
  }

  private static PrintStream open(Path file) {
    try {
      return new PrintStream(java.nio.file.Files.newOutputStream(file), false,
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new UsageException("cannot write --output " + file + ": " + e.getMessage());
    }
  }

  private int runOwn(Session session, ExecScript parsed, Output output) {
    List<Map<String, Object>> all = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < parsed.steps().size(); i++) {
      ExecScript.Step step = parsed.steps().get(i);
      Map<String, Object> entry = fields("index", i + 1, "op", step.op());
      Result result = null;
      try {
        result = runStep(session, step);
        entry.put("ok", result.exitCode() == 0);
        entry.put("result", result.data());
      } catch (RuntimeException e) {
        String message = ShardyCli.message(e);
        entry.put("ok", false);
        entry.put("error", message);
        session.context().err().println("shardy: error: op #" + (i + 1) + " (" + step.op()
            + "): " + message);
      }
      print(output, entry, result, step);
      all.add(entry);
      if (!(Boolean) entry.get("ok")) {
        failed = true;
        if (!parsed.continueOnError()) {
          break;
        }
      }
    }
    if (output.format() == OutputFormat.JSON) {
      output.stream().println(Output.json(all, true));
      output.stream().flush();
    }
    return failed ? 1 : 0;
  }

  private Result runStep(Session session, ExecScript.Step step) {
    CommandLine cl = ShardyCli.commandLine(new ShardyCli(root.context(), session));
    CommandLine.ParseResult parsed = cl.parseArgs(step.args().toArray(String[]::new));
    Object command = parsed.subcommand().commandSpec().userObject();
    return ((Op) command).run(session);
  }

  private static void print(Output output, Map<String, Object> entry, Result result,
      ExecScript.Step step) {
    switch (output.format()) {
      case JSON -> { } // one document at the end
      case JSONL -> {
        output.stream().println(Output.json(entry, false));
        output.stream().flush();
      }
      default -> {
        output.stream().println("[" + entry.get("index") + "] "
            + String.join(" ", step.args().stream()
                .filter(a -> !a.equals("--") && !a.equals("--strict")).toList()) + ": "
            + ((Boolean) entry.get("ok") ? "ok" : "FAILED"));
        if (result != null) {
          output.print(result);
        } else {
          output.stream().println("error: " + entry.get("error"));
        }
      }
    }
  }
}
