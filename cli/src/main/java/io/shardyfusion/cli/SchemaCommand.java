package io.shardyfusion.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.manifest.ManifestSchemas;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code shardy schema}: the JSON Schema of manifests or of the {@code _CURRENT} pointer. */
@Command(name = "schema", mixinStandardHelpOptions = true,
    description = "Print the JSON Schema of a manifest or of the _CURRENT pointer.",
    footer = {"", "Needs no snapshot. Pretty-printed, except with --output-format jsonl (one "
        + "line).",
        "", "Examples:",
        "  shardy schema > manifest.schema.json",
        "  shardy schema --type current-pointer"})
final class SchemaCommand implements Callable<Integer> {
  @ParentCommand
  ShardyCli root;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "manifest",
      description = "manifest (default) or current-pointer.")
  String type;

  @Override
  public Integer call() throws JsonProcessingException {
    String schema = switch (type) {
      case "manifest" -> ManifestSchemas.manifestSchema();
      case "current-pointer" -> ManifestSchemas.currentPointerSchema();
      default -> throw new UsageException("--type '" + type + "' is not a schema; use manifest "
          + "or current-pointer");
    };
    Session session = root.session();
    JsonNode tree = new ObjectMapper().readTree(schema);
    boolean oneLine = session.output().format() == OutputFormat.JSONL;
    session.output().stream().println(Output.json(tree, !oneLine));
    session.output().stream().flush();
    return 0;
  }
}
