package io.shardyfusion.manifest.postgres;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.PythonManifestRows;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.PublishedRef;
import io.shardyfusion.layout.SnapshotLayout;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link PostgresManifestStore} in the Python system's layout ({@link PythonSchema}): what the
 * Python {@code PostgresManifestStore} publishes there this store reads, and what this store
 * publishes the Python one reads, with the same rows and pointer semantics:
 *
 * <ul>
 *   <li>a ref is a run id; publish writes the build row, its shard rows and a pointer row in
 *       one transaction;
 *   <li>the current manifest is the pointer row with the newest {@code updated_at}; with no
 *       pointer row at all, the build with the newest {@code created_at} (the Python reader's
 *       fallback);
 *   <li>history ({@link #listManifests}) is the builds by {@code created_at}, newest first;
 *       {@link #setCurrent} (rollback) appends a pointer row.
 * </ul>
 *
 * <p>Rows map to and from manifests through {@link PythonManifestRows}, as the SQLite manifest
 * does, so this project's extras (RocksDB files and checksums, content hashes, large attempt
 * numbers) ride in {@code custom["shardyfusion_jvm"]}. Differences from the Python store, on
 * purpose: a second publish of a run id with a different manifest is refused (the Python store
 * overwrites it); this store's pointer rows are stamped after an advisory lock with a time
 * later than every earlier row, so a rollback is current even when two moves share a
 * microsecond or the server clock steps back.
 */
final class PythonLayoutStore implements ManifestStore {
  // Refs are run ids; the Python writer puts them in S3 paths (run_id=<run>/), so no '/'.
  private static final Pattern REF = Pattern.compile("[^/\\s]{1,256}");
  private static final long MAX_INT4 = Integer.MAX_VALUE;

  private final PostgresConfig config;
  private final PythonSchema schema;
  private final ConnectionHolder db;
  private final PythonManifestRows.Naming naming;
  private volatile Set<String> buildColumns;

  PythonLayoutStore(PostgresConfig config, ConnectionHolder db) {
    this.config = config;
    this.schema = new PythonSchema(config.tableName(), config.pointerTable());
    this.db = db;
    this.naming = new PythonManifestRows.Naming("the PostgreSQL manifest (Python layout) "
        + "build", "table " + schema.builds(), "table " + schema.shards());
  }

  @Override
  public String location() {
    return config.jdbcUrl() + " layout=python tables=" + schema.builds() + "/" + schema.shards()
        + "/" + schema.pointer();
  }

  @Override
  public PublishedRef publish(Manifest manifest, ManifestFormat format) {
    // The rows are the format here: `format` (SQLite or JSON bytes) does not apply.
    String runId = manifest.runId();
    SnapshotLayout.validateRunId(runId);
    PythonManifestRows.Rows rows = PythonManifestRows.toRows(manifest, MAX_INT4);
    for (PythonManifestRows.Shard s : rows.shards()) {
      if (s.rowCount() > MAX_INT4) {
        throw new ConfigValidationException("shard " + s.dbId() + " of run " + runId + " has "
            + s.rowCount() + " rows, more than the Python layout's row_count column (INTEGER) "
            + "holds (" + MAX_INT4 + "): write more shards, or publish with the jvm layout");
      }
    }
    // Validate what goes in as it will be read back (a Python reader would refuse it later).
    Manifest normalized = PythonManifestRows.fromRows(rows, naming, "run " + runId);
    CurrentPointer pointer = inTransaction("publish run " + runId, c -> {
      schema.lockMoves(c);
      Optional<Manifest> existing = loadRows(c, runId);
      if (existing.isPresent()) {
        if (!existing.get().equals(normalized)) {
          throw new ConfigValidationException("a different manifest is already stored for run "
              + runId + " in " + schema.builds() + ": a run id names one manifest; publish "
              + "under a new run id");
        }
        // A retry of a publish that committed (its pointer row went in with it): moving the
        // pointer again would undo any publish or rollback made since.
        return newestPointer(c).orElseGet(() -> pointer(runId, manifest.required().createdAt()));
      }
      insertRows(c, rows);
      return appendPointer(c, runId);
    });
    return new PublishedRef(runId, pointer);
  }

  @Override
  public Optional<CurrentPointer> loadCurrent() {
    return inTransaction("load the current pointer", c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT p.manifest_ref, p.updated_at, b.run_id FROM "
              + schema.pointer() + " p LEFT JOIN " + schema.builds() + " b ON b.run_id = "
              + "p.manifest_ref ORDER BY p.updated_at DESC LIMIT 1")) {
        if (rs.next()) {
          String ref = rs.getString(1);
          Instant at = rs.getObject(2, OffsetDateTime.class).toInstant();
          if (rs.getString(3) == null) {
            throw new ManifestParseException("malformed manifest data at " + location()
                + ": the newest row of table " + schema.pointer() + " (updated_at=" + at
                + ", manifest_ref='" + ref + "') names a build that table " + schema.builds()
                + " does not have: roll back to an existing run (shardy rollback / "
                + "setCurrent), or publish run '" + ref + "' again");
          }
          return Optional.of(pointer(ref, at));
        }
      }
      // No pointer row yet: the Python reader takes the newest build; so does this store.
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT run_id, created_at FROM " + schema.builds()
              + " ORDER BY created_at DESC LIMIT 1")) {
        return rs.next() ? Optional.of(pointer(rs.getString(1),
            rs.getObject(2, OffsetDateTime.class).toInstant())) : Optional.empty();
      }
    });
  }

  /** Up to {@code limit} (checked by the caller) pointer rows, newest first. */
  List<CurrentPointer> pointerHistory(int limit) {
    return inTransaction("load the current pointer history", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT manifest_ref, updated_at FROM "
          + schema.pointer() + " ORDER BY updated_at DESC LIMIT ?")) {
        ps.setLong(1, limit);
        List<CurrentPointer> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(pointer(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant()));
          }
        }
        return out;
      }
    });
  }

  @Override
  public Manifest loadManifest(String ref) {
    String runId = parseRef(ref);
    return inTransaction("load manifest " + runId, c -> {
      // The build row and its shard rows from one snapshot, even if the Python writer
      // re-publishes this run (it deletes and re-inserts the shard rows) meanwhile.
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      }
      return loadRows(c, runId).orElseThrow(() -> new ObjectNotFoundException(location()
          + " run_id=" + runId));
    });
  }

  @Override
  public List<ManifestEntry> listManifests(int limit) {
    return inTransaction("list manifests", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT b.run_id, b.created_at, "
          + "b.num_dbs, count(s.db_id), coalesce(sum(s.row_count), 0) FROM " + schema.builds()
          + " b LEFT JOIN " + schema.shards() + " s ON s.run_id = b.run_id "
          + "GROUP BY b.run_id, b.created_at, b.num_dbs "
          + "ORDER BY b.created_at DESC, b.run_id DESC LIMIT ?")) {
        ps.setLong(1, limit);
        List<ManifestEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new ManifestEntry(rs.getString(1), rs.getString(1),
                rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getInt(3), rs.getInt(4),
                rs.getLong(5)));
          }
        }
        return out;
      }
    });
  }

  @Override
  public void setCurrent(String ref) {
    String runId = parseRef(ref);
    inTransaction("set the current pointer to run " + runId, c -> {
      schema.lockMoves(c);
      loadRows(c, runId).orElseThrow(() -> new ObjectNotFoundException(location()
          + " run_id=" + runId));
      return appendPointer(c, runId);
    });
  }

  @Override
  public void deleteManifests(Collection<String> refs) {
    Set<String> runIds = new LinkedHashSet<>();
    for (String ref : refs) {
      try {
        runIds.add(parseRef(ref));
      } catch (StorageException e) {
        throw new ConfigValidationException(e.getMessage(), e);
      }
    }
    if (runIds.isEmpty()) {
      return;
    }
    inTransaction("delete " + runIds.size() + " manifests", c -> {
      schema.lockMoves(c);
      Optional<String> current = newestPointer(c).map(CurrentPointer::manifestRef)
          .or(() -> newestBuild(c));
      if (current.isPresent() && runIds.contains(current.get())) {
        throw new ConfigValidationException("refusing to delete manifest " + current.get()
            + ": it is the current manifest; roll back to another one first");
      }
      Array array = c.createArrayOf("text", runIds.toArray());
      // Shard rows first: they reference their build. Pointer rows stay, as history.
      for (String table : List.of(schema.shards(), schema.builds())) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table
            + " WHERE run_id = ANY (?)")) {
          ps.setArray(1, array);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public void close() {
    db.close();
  }

  // ---- rows ----------------------------------------------------------------------------------

  private void insertRows(Connection c, PythonManifestRows.Rows rows) throws SQLException {
    PythonManifestRows.Build b = rows.build();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.builds()
        + " (run_id, created_at, num_dbs, s3_prefix, key_col, db_path_template, shard_prefix,"
        + " key_encoding, sharding, custom) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)")) {
      ps.setString(1, b.runId());
      ps.setObject(2, OffsetDateTime.ofInstant(b.createdAt(), ZoneOffset.UTC));
      ps.setInt(3, Math.toIntExact(b.numDbs())); // toRows: a Manifest's int
      ps.setString(4, b.s3Prefix());
      ps.setString(5, b.keyCol());
      ps.setString(6, b.dbPathTemplate());
      ps.setString(7, b.shardPrefix());
      ps.setString(8, b.keyEncoding());
      ps.setString(9, b.shardingJson());
      ps.setString(10, b.customJson());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.shards()
        + " (run_id, db_id, db_url, attempt, row_count, db_bytes, checkpoint_id, min_key,"
        + " max_key, writer_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb)")) {
      for (PythonManifestRows.Shard s : rows.shards()) {
        ps.setString(1, b.runId());
        ps.setInt(2, Math.toIntExact(s.dbId()));
        ps.setString(3, s.dbUrl());
        ps.setInt(4, (int) s.attempt()); // toRows moved larger ones to the extension
        ps.setInt(5, (int) s.rowCount()); // checked by publish
        ps.setLong(6, s.dbBytes());
        ps.setString(7, s.checkpointId());
        ps.setString(8, s.minKeyJson());
        ps.setString(9, s.maxKeyJson());
        ps.setString(10, s.writerInfoJson());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The manifest of run {@code runId}, or empty when its build row does not exist. */
  private Optional<Manifest> loadRows(Connection c, String runId) throws SQLException {
    Set<String> columns = buildColumns(c);
    boolean versioned = columns.contains("format_version");
    PythonManifestRows.Build build;
    String source = location() + " run_id=" + runId;
    try (PreparedStatement ps = c.prepareStatement("SELECT run_id, created_at, num_dbs, "
        + "s3_prefix, key_col, db_path_template, shard_prefix, key_encoding, sharding::text, "
        + "custom::text" + (versioned ? ", format_version" : "") + " FROM " + schema.builds()
        + " WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        OffsetDateTime createdAt = rs.getObject(2, OffsetDateTime.class);
        // Tables created without a format_version column (every Python version so far) hold
        // format_version 4 manifests: the Python model's default.
        int version = PythonManifestRows.FORMAT_VERSION;
        if (versioned) {
          version = rs.getInt(11);
          if (rs.wasNull()) {
            throw new ManifestParseException("malformed manifest data at " + source
                + ": table " + schema.builds() + " row run_id=" + runId + " has a NULL "
                + "format_version; publish the run again");
          }
        }
        build = new PythonManifestRows.Build(rs.getString(1),
            createdAt == null ? null : createdAt.toInstant(), rs.getInt(3), rs.getString(4),
            rs.getString(5), rs.getString(9), rs.getString(6), rs.getString(7), version,
            rs.getString(8), rs.getString(10));
      }
    }
    List<PythonManifestRows.Shard> shards = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT db_id, db_url, attempt, row_count, "
        + "db_bytes, min_key::text, max_key::text, checkpoint_id, writer_info::text FROM "
        + schema.shards() + " WHERE run_id = ? ORDER BY db_id")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          shards.add(new PythonManifestRows.Shard(rs.getInt(1), rs.getString(2),
              rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getString(6), rs.getString(7),
              rs.getString(8), rs.getString(9)));
        }
      }
    }
    return Optional.of(PythonManifestRows.fromRows(new PythonManifestRows.Rows(build, shards),
        naming, source));
  }

  private Set<String> buildColumns(Connection c) throws SQLException {
    Set<String> columns = buildColumns;
    if (columns == null) {
      columns = schema.buildColumns(c);
      buildColumns = columns;
    }
    return columns;
  }

  // ---- pointer -------------------------------------------------------------------------------

  private CurrentPointer appendPointer(Connection c, String runId) throws SQLException {
    // Later than every row already there (same microsecond, or a clock stepped back), so that
    // the Python reader's ORDER BY updated_at DESC sees this move as the newest. Run under
    // lockMoves, so this project's moves are stamped in the order they commit.
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema.pointer()
        + " (updated_at, manifest_ref) SELECT GREATEST(clock_timestamp(), coalesce(max("
        + "updated_at), '-infinity') + interval '1 microsecond'), ? FROM " + schema.pointer()
        + " RETURNING updated_at")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return pointer(runId, rs.getObject(1, OffsetDateTime.class).toInstant());
      }
    }
  }

  private Optional<CurrentPointer> newestPointer(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT manifest_ref, updated_at FROM " + schema.pointer()
            + " ORDER BY updated_at DESC LIMIT 1")) {
      return rs.next() ? Optional.of(pointer(rs.getString(1),
          rs.getObject(2, OffsetDateTime.class).toInstant())) : Optional.empty();
    }
  }

  private Optional<String> newestBuild(Connection c) {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT run_id FROM " + schema.builds()
            + " ORDER BY created_at DESC LIMIT 1")) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    } catch (SQLException e) {
      throw PostgresErrors.map(e, "find the newest build", config);
    }
  }

  // The rows do not record a content type (they are no document); the pointer's field is
  // informational, as in the jvm layout.
  private static CurrentPointer pointer(String runId, Instant updatedAt) {
    return new CurrentPointer(runId, ManifestCodec.JSON_CONTENT_TYPE, runId, updatedAt,
        CurrentPointer.FORMAT_VERSION);
  }

  private String parseRef(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new ConfigValidationException("manifest ref is missing or empty");
    }
    if (!REF.matcher(ref).matches()) {
      throw new StorageException("'" + ref + "' is not a manifest ref of " + location()
          + ": in the Python layout a ref is a run id (list them with listManifests / shardy "
          + "history)", false);
    }
    return ref;
  }

  private volatile boolean schemaReady;

  private <T> T inTransaction(String action, ConnectionHolder.Work<T> work) {
    if (!schemaReady) {
      db.inTransaction("create the tables " + schema.builds() + ", " + schema.shards() + " and "
          + schema.pointer(), c -> {
            schema.ensure(c);
            return null;
          });
      schemaReady = true;
    }
    return db.inTransaction(action, work);
  }
}
