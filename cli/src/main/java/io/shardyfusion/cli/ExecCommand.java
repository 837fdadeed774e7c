package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

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
 * {@code shardy exec --script FILE}: runs a YAML list of ops on one reader (see
 * {@link ExecScript}) and prints one result per op.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
    description = "Run a YAML script of ops (get, multiget, route, info, shards, history, "
        + "refresh) on one reader; print one result per op.",
    footer = {"", "Script:",
        "  on_error: stop          # stop (default) or continue",
        "  ops:",
        "    - {op: get, key: 42}",
        "    - {op: multiget, keys: [1, 2, 3], value_format: hex}",
        "    - {op: route, key: 7}",
        "    - {op: refresh}",
        "",
        "Each result: {index, op, ok, result | error}. An op fails when its command would exit "
            + "non-zero (a get of a missing key fails).",
        "Exit codes: 0 every op ok, 1 any op failed, 2 the script is invalid (nothing ran).",
        "", "Examples:",
        "  shardy exec --script checks.yaml",
        "  shardy --output-format json exec --script checks.yaml"})
final class ExecCommand implements Callable<Integer> {
  @ParentCommand
  ShardyCli root;

  @Option(names = "--script", paramLabel = "FILE", required = true,
      description = "The YAML script.")
  Path script;

  @Override
  public Integer call() {
    ExecScript parsed = ExecScript.load(script);
    Session session = root.session();
    Output output = session.output();
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
            + String.join(" ", step.args().stream().filter(a -> !a.equals("--")).toList()) + ": "
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
