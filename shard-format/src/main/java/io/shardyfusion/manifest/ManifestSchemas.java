package io.shardyfusion.manifest;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.errors.ConfigValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The JSON Schemas (draft 2020-12) of the documents {@link ManifestCodec} reads and writes, for
 * tools written in other languages and for the CLI to print. {@link ManifestCodec} enforces the
 * same rules and more (e.g. {@code db_id < num_dbs}, unique db ids, {@code db_bytes} equal to the
 * sum of file sizes), which JSON Schema cannot express.
 */
public final class ManifestSchemas {
  /** Classpath location of the manifest schema. */
  public static final String MANIFEST_SCHEMA_RESOURCE =
      "/io/shardyfusion/schemas/manifest.schema.json";
  /** Classpath location of the {@code _CURRENT} pointer schema. */
  public static final String CURRENT_POINTER_SCHEMA_RESOURCE =
      "/io/shardyfusion/schemas/current-pointer.schema.json";

  /**
   * Classpath location of the run record schema: the data model of a run.yaml ({@code
   * runs/<time>_run_id=<run>_<uuid>/run.yaml}, YAML), the Python system's fields plus ours.
   */
  public static final String RUN_RECORD_SCHEMA_RESOURCE =
      "/io/shardyfusion/schemas/run-record.schema.json";

  private ManifestSchemas() {}

  /** The manifest JSON Schema as text. */
  public static String manifestSchema() {
    return load(MANIFEST_SCHEMA_RESOURCE);
  }

  /** The {@code _CURRENT} pointer JSON Schema as text. */
  public static String currentPointerSchema() {
    return load(CURRENT_POINTER_SCHEMA_RESOURCE);
  }

  /** The run record JSON Schema as text. */
  public static String runRecordSchema() {
    return load(RUN_RECORD_SCHEMA_RESOURCE);
  }

  private static String load(String resource) {
    try (InputStream in = ManifestSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        // Only a broken jar gets here: the schemas ship inside shard-format.
        throw new ConfigValidationException("schema " + resource + " is missing from the "
            + "classpath: the shardyfusion-shard-format jar is damaged or repackaged without its "
            + "resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StorageException("cannot read schema " + resource + " from the classpath: " + e,
          true, e);
    }
  }
}
