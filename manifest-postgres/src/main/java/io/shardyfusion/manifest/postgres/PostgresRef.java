package io.shardyfusion.manifest.postgres;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.StorageException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A manifest's ref in a {@link PostgresManifestStore}:
 * {@code postgres:<dataset>/<yyyyMMdd'T'HHmmss.SSS'Z'>_run_id=<run>}, e.g.
 * {@code postgres:users/20260105T143000.123Z_run_id=nightly-42}. The name after the slash is
 * the manifest's primary key within its dataset; it sorts by creation time (the same time format
 * as the object store's {@code manifests/} keys), and it needs no quoting on a command line.
 */
record PostgresRef(String dataset, String name) {
  static final String SCHEME = "postgres:";

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern REF = Pattern.compile(
      "postgres:([A-Za-z0-9][A-Za-z0-9._-]{0,63})/(\\d{8}T\\d{6}\\.\\d{3}Z_run_id="
          + "[A-Za-z0-9][A-Za-z0-9._-]{0,127})");

  static PostgresRef of(String dataset, Instant createdAt, String runId) {
    return new PostgresRef(dataset, TIME.format(createdAt) + "_run_id=" + runId);
  }

  /**
   * Parses a ref of {@code dataset}.
   *
   * @throws ConfigValidationException if {@code ref} is empty or not a PostgreSQL manifest ref
   * @throws StorageException (not retryable) if it names another dataset
   */
  static PostgresRef parse(String ref, String dataset) {
    if (ref == null || ref.isBlank()) {
      throw new ConfigValidationException("manifest ref is missing or empty");
    }
    Matcher m = REF.matcher(ref);
    if (!m.matches()) {
      throw new ConfigValidationException("'" + ref + "' is not a PostgreSQL manifest ref: "
          + "expected " + SCHEME + dataset + "/<yyyyMMddTHHmmss.SSSZ>_run_id=<run> (list them "
          + "with listManifests)");
    }
    if (!m.group(1).equals(dataset)) {
      throw new StorageException("manifest " + ref + " belongs to dataset '" + m.group(1)
          + "', but this store serves dataset '" + dataset + "': open a store for that dataset",
          false);
    }
    return new PostgresRef(m.group(1), m.group(2));
  }

  @Override
  public String toString() {
    return SCHEME + dataset + "/" + name;
  }
}
