package io.shardyfusion.manifest.postgres;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.manifest.store.PublishedRef;
import io.shardyfusion.layout.SnapshotLayout;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Manifests and the current pointer in PostgreSQL (shards stay in object storage), in one of
 * two table layouts ({@link PostgresConfig#layout()}, see {@link PostgresLayout}):
 *
 * <ul>
 *   <li>{@code jvm} (the default): one store serves one dataset of the database; many datasets
 *       share the two tables described in {@link PostgresSchema}, which the first use creates.
 *       Refs look like {@code postgres:<dataset>/20260105T143000.123Z_run_id=<run>}. The rest
 *       of this comment describes this layout.
 *   <li>{@code python}: the Python system's {@code _builds}, {@code _shards} and
 *       {@code _pointer} tables, shared with it; refs are run ids (see
 *       {@code PythonLayoutStore} in this package).
 * </ul>
 *
 * <ul>
 *   <li>{@link #publish} inserts the manifest and a pointer row in one transaction: a failure
 *       leaves neither.
 *   <li>Pointer rows are only ever appended; {@link #loadCurrent} reads the newest, and
 *       {@link #pointerHistory} shows every move (publishes and rollbacks).
 *   <li>{@link #listManifests} is one indexed query; it does not parse manifests.
 * </ul>
 *
 * <pre>{@code
 * PostgresConfig cfg = PostgresConfig.builder()
 *     .jdbcUrl("jdbc:postgresql://db.internal:5432/snapshots").user("shardy")
 *     .passwordFromEnv("SHARDY_PG_PASSWORD").dataset("users").build();
 * try (ManifestStore store = new PostgresManifestStore(cfg)) {
 *   store.loadCurrent().ifPresent(p -> System.out.println(p.manifestRef()));
 * }
 * // A writer opens it from a serializable factory:
 * WriteConfig.builder()...manifestStore(PostgresManifestStore.factory(cfg))
 * }</pre>
 *
 * <p>Thread-safe: calls share one connection, one transaction at a time. Database errors become
 * {@link StorageException}s, retryable when the SQLSTATE says so (see {@link PostgresErrors}).
 */
public final class PostgresManifestStore implements ManifestStore {
  private final PostgresConfig config;
  private final PostgresSchema schema;
  private final ConnectionHolder db;
  private volatile boolean schemaReady;
  // The Python system's layout, when configured; every call goes there instead.
  private final PythonLayoutStore python;

  /** Connects lazily, on the first call. */
  public PostgresManifestStore(PostgresConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.schema = new PostgresSchema(config.tablePrefix());
    this.db = new ConnectionHolder(config);
    this.python = config.layout() == PostgresLayout.PYTHON
        ? new PythonLayoutStore(config, db) : null;
  }

  /**
   * A serializable factory for writers: {@code WriteConfig.builder().manifestStore(...)}. It
   * ignores the snapshot's object store.
   */
  public static ManifestStoreFactory factory(PostgresConfig config) {
    return new PostgresManifestStoreFactory(Objects.requireNonNull(config, "config"));
  }

  public PostgresConfig config() {
    return config;
  }

  /** The JDBC URL (never with a password) and the dataset. */
  @Override
  public String location() {
    if (python != null) {
      return python.location();
    }
    return PostgresErrors.location(config);
  }

  @Override
  public PublishedRef publish(Manifest manifest, ManifestFormat format) {
    if (python != null) {
      return python.publish(manifest, format);
    }
    // The run id becomes part of the ref, which must parse again later.
    SnapshotLayout.validateRunId(manifest.runId());
    Instant createdAt = manifest.required().createdAt();
    PostgresRef ref = PostgresRef.of(config.dataset(), createdAt, manifest.runId());
    byte[] json = format.encode(manifest);
    CurrentPointer pointer = inTransaction("publish manifest " + ref, c -> {
      schema.lockDataset(c, config.dataset());
      if (!insertManifest(c, ref, manifest, json)) {
        // A retry of a publish that committed (its pointer row went in with the manifest):
        // moving the pointer again would undo any publish or rollback made since.
        return pointers(c, 1).get(0);
      }
      return appendPointer(c, ref, manifest.runId());
    });
    return new PublishedRef(ref.toString(), pointer);
  }

  @Override
  public Optional<CurrentPointer> loadCurrent() {
    if (python != null) {
      return python.loadCurrent();
    }
    List<CurrentPointer> newest = pointerHistory(1);
    return newest.isEmpty() ? Optional.empty() : Optional.of(newest.get(0));
  }

  /**
   * Up to {@code limit} moves of this dataset's current pointer, newest (the current one) first:
   * every publish and every {@link #setCurrent}.
   */
  public List<CurrentPointer> pointerHistory(int limit) {
    if (python != null) {
      requireLimit(limit);
      return python.pointerHistory(limit);
    }
    requireLimit(limit);
    return inTransaction("load the current pointer history", c -> pointers(c, limit));
  }

  @Override
  public Manifest loadManifest(String ref) {
    if (python != null) {
      return python.loadManifest(ref);
    }
    PostgresRef r = PostgresRef.parse(ref, config.dataset());
    byte[] json = inTransaction("load manifest " + r, c -> manifestBytes(c, r));
    return ManifestFormats.decode(json, r.toString());
  }

  @Override
  public List<ManifestEntry> listManifests(int limit) {
    requireLimit(limit);
    if (python != null) {
      return python.listManifests(limit);
    }
    return inTransaction("list manifests", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT name, run_id, created_at, "
          + "created_at_nanos, num_dbs, shard_count, total_rows FROM " + schema.manifests()
          + " WHERE dataset = ? ORDER BY name DESC LIMIT ?")) {
        ps.setString(1, config.dataset());
        ps.setLong(2, limit);
        List<ManifestEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Instant createdAt = rs.getObject(3, OffsetDateTime.class).toInstant()
                .with(ChronoField.NANO_OF_SECOND, rs.getInt(4));
            out.add(new ManifestEntry(new PostgresRef(config.dataset(), rs.getString(1))
                .toString(), rs.getString(2), createdAt, rs.getInt(5), rs.getInt(6),
                rs.getLong(7)));
          }
        }
        return out;
      }
    });
  }

  /**
   * Appends a pointer row naming {@code ref}, after checking in the same transaction that the
   * manifest exists and parses.
   */
  @Override
  public void setCurrent(String ref) {
    if (python != null) {
      python.setCurrent(ref);
      return;
    }
    PostgresRef r = PostgresRef.parse(ref, config.dataset());
    inTransaction("set the current pointer to " + r, c -> {
      schema.lockDataset(c, config.dataset());
      Manifest m = ManifestFormats.decode(manifestBytes(c, r), r.toString());
      return appendPointer(c, r, m.runId());
    });
  }

  @Override
  public void deleteManifests(Collection<String> refs) {
    if (python != null) {
      python.deleteManifests(refs);
      return;
    }
    Set<String> names = new LinkedHashSet<>();
    for (String ref : refs) {
      try {
        names.add(PostgresRef.parse(ref, config.dataset()).name());
      } catch (StorageException e) {
        throw new ConfigValidationException(e.getMessage(), e);
      }
    }
    if (names.isEmpty()) {
      return;
    }
    inTransaction("delete " + names.size() + " manifests", c -> {
      schema.lockDataset(c, config.dataset());
      Optional<CurrentPointer> current = newestPointer(c);
      if (current.isPresent()
          && names.contains(PostgresRef.parse(current.get().manifestRef(), config.dataset())
              .name())) {
        throw new ConfigValidationException("refusing to delete manifest "
            + current.get().manifestRef() + ": it is the current manifest; roll back to "
            + "another one first");
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema.manifests()
          + " WHERE dataset = ? AND name = ANY (?)")) {
        Array array = c.createArrayOf("text", names.toArray());
        ps.setString(1, config.dataset());
        ps.setArray(2, array);
        return ps.executeUpdate();
      }
    });
  }

  /** Closes the connection; later calls fail. */
  @Override
  public void close() {
    db.close();
  }

  @Override
  public String toString() {
    return "PostgresManifestStore{" + location() + "}";
  }

  private <T> T inTransaction(String action, ConnectionHolder.Work<T> work) {
    if (!schemaReady) {
      db.inTransaction("create the tables " + schema.manifests() + " and " + schema.pointers(),
          c -> {
            schema.ensure(c);
            return null;
          });
      schemaReady = true;
    }
    return db.inTransaction(action, work);
  }

  /** @return false when this exact manifest was already stored (a retried publish) */
  private boolean insertManifest(Connection c, PostgresRef ref, Manifest m, byte[] json)
      throws SQLException {
    Instant createdAt = m.required().createdAt();
    int inserted;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.manifests()
        + " (dataset, name, run_id, created_at, created_at_nanos, num_dbs, shard_count, "
        + "total_rows, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT (dataset, name) DO NOTHING")) {
      ps.setString(1, ref.dataset());
      ps.setString(2, ref.name());
      ps.setString(3, m.runId());
      ps.setObject(4, OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC));
      ps.setInt(5, createdAt.getNano());
      ps.setInt(6, m.numDbs());
      ps.setInt(7, m.shards().size());
      ps.setLong(8, m.totalRows());
      ps.setBytes(9, json);
      inserted = ps.executeUpdate();
    }
    // The same run published again (a retried task) is fine; a different manifest is not.
    if (inserted == 0 && !Arrays.equals(manifestBytes(c, ref), json)) {
      throw new ConfigValidationException("a different manifest is already stored as " + ref
          + ": a run id and creation time name one manifest; publish under a new run id");
    }
    return inserted > 0;
  }

  private CurrentPointer appendPointer(Connection c, PostgresRef ref, String runId)
      throws SQLException {
    // PostgreSQL keeps microseconds; truncate so the returned pointer equals the stored one.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.pointers()
        + " (dataset, manifest_name, run_id, updated_at) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, ref.dataset());
      ps.setString(2, ref.name());
      ps.setString(3, runId);
      ps.setObject(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
      ps.executeUpdate();
    }
    return pointer(ref, runId, now);
  }

  private Optional<CurrentPointer> newestPointer(Connection c) throws SQLException {
    return pointers(c, 1).stream().findFirst();
  }

  private List<CurrentPointer> pointers(Connection c, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT manifest_name, run_id, updated_at "
        + "FROM " + schema.pointers() + " WHERE dataset = ? ORDER BY id DESC LIMIT ?")) {
      ps.setString(1, config.dataset());
      ps.setLong(2, limit);
      List<CurrentPointer> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(pointer(new PostgresRef(config.dataset(), rs.getString(1)), rs.getString(2),
              rs.getObject(3, OffsetDateTime.class).toInstant()));
        }
      }
      return out;
    }
  }

  private byte[] manifestBytes(Connection c, PostgresRef ref) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT manifest FROM " + schema.manifests()
        + " WHERE dataset = ? AND name = ?")) {
      ps.setString(1, ref.dataset());
      ps.setString(2, ref.name());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new ObjectNotFoundException(ref.toString());
        }
        return rs.getBytes(1);
      }
    }
  }

  // Pointer rows do not record a content type: every manifest this store holds is read by its
  // bytes (ManifestFormats.decode), so the pointer's field is informational here.
  private static CurrentPointer pointer(PostgresRef ref, String runId, Instant updatedAt) {
    return new CurrentPointer(ref.toString(), ManifestCodec.JSON_CONTENT_TYPE, runId, updatedAt,
        CurrentPointer.FORMAT_VERSION);
  }

  private static void requireLimit(int limit) {
    if (limit < 0) {
      throw new ConfigValidationException("limit must be >= 0, got " + limit);
    }
  }
}
