package io.shardyfusion.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Validates documents against the published JSON Schemas ({@link ManifestSchemas}), so that any
 * test can check that what a writer produced is what other-language readers expect.
 */
public final class ManifestSchemaAssertions {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectMapper YAML =
      new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
  private static final JsonSchema MANIFEST = compile(ManifestSchemas.manifestSchema());
  private static final JsonSchema CURRENT = compile(ManifestSchemas.currentPointerSchema());
  private static final JsonSchema RUN_RECORD = compile(ManifestSchemas.runRecordSchema());

  private ManifestSchemaAssertions() {}

  /** Fails with every schema violation listed unless {@code json} is a valid manifest. */
  public static void assertValidManifest(byte[] json) {
    assertNoErrors("manifest", json, manifestSchemaErrors(json));
  }

  /** Fails with every schema violation listed unless {@code json} is a valid _CURRENT. */
  public static void assertValidCurrentPointer(byte[] json) {
    assertNoErrors("_CURRENT pointer", json, currentPointerSchemaErrors(json));
  }

  /** Fails with every schema violation listed unless {@code yaml} is a valid run.yaml. */
  public static void assertValidRunRecord(byte[] yaml) {
    JsonNode node;
    try {
      node = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new AssertionError("run record is not YAML: " + e.getMessage(), e);
    }
    List<String> errors = RUN_RECORD.validate(node).stream().map(ValidationMessage::getMessage)
        .sorted().collect(Collectors.toList());
    assertNoErrors("run record", yaml, errors);
  }

  /** The manifest schema's violations in {@code json} (empty when valid). */
  public static List<String> manifestSchemaErrors(byte[] json) {
    return errors(MANIFEST, json);
  }

  /** The _CURRENT schema's violations in {@code json} (empty when valid). */
  public static List<String> currentPointerSchemaErrors(byte[] json) {
    return errors(CURRENT, json);
  }

  private static void assertNoErrors(String what, byte[] json, List<String> errors) {
    if (!errors.isEmpty()) {
      throw new AssertionError(what + " breaks its JSON Schema:\n  " + String.join("\n  ", errors)
          + "\ndocument:\n" + new String(json, StandardCharsets.UTF_8));
    }
  }

  private static List<String> errors(JsonSchema schema, byte[] json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
    return schema.validate(node).stream().map(ValidationMessage::getMessage).sorted()
        .collect(Collectors.toList());
  }

  private static JsonSchema compile(String schema) {
    // Draft 2020-12 treats "format" as an annotation by default; assert it (date-time).
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .formatAssertionsEnabled(true).build();
    try {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(MAPPER.readTree(schema), config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
