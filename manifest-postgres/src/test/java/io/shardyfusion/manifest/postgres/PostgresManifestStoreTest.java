package io.shardyfusion.manifest.postgres;

import io.shardyfusion.manifest.ManifestFormats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.PublishedRef;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.testing.PostgresExtension;
import io.shardyfusion.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresManifestStoreTest {
  private static PostgresServer pg;
  private static String database;

  @BeforeAll
  static void database(PostgresServer server) {
    pg = server;
    database = server.createDatabase("store");
  }

  private static PostgresManifestStore newStore() {
    return new PostgresManifestStore(PgFixture.config(pg, database).build());
  }

  @Test
  void refsNameDatasetTimeAndRunAndTheStoredBytesAreTheCodecs() throws SQLException {
    try (PostgresManifestStore store = newStore()) {
      Manifest m = TestManifests.run("nightly-42", 0);
      PublishedRef ref = store.publish(m);

      String dataset = store.config().dataset();
      assertThat(ref.manifestRef())
          .isEqualTo("postgres:" + dataset + "/20260105T143000.123Z_run_id=nightly-42");
      assertThat(ref.pointer()).isEqualTo(store.loadCurrent().orElseThrow());
      assertThat(store.loadManifest(ref.manifestRef())).isEqualTo(m);
      assertThat(storedBytes(dataset, "20260105T143000.123Z_run_id=nightly-42"))
          .isEqualTo(ManifestFormats.forManifest(m).encode(m));
      ManifestEntry entry = store.listManifests(1).get(0);
      assertThat(entry).isEqualTo(new ManifestEntry(ref.manifestRef(), "nightly-42",
          m.required().createdAt(), m.numDbs(), m.shards().size(), m.totalRows()));
      assertThat(store.location()).isEqualTo(pg.jdbcUrl(database) + " dataset=" + dataset);
    }
  }

  @Test
  void twoDatasetsInOneDatabaseDoNotSeeEachOther() {
    try (PostgresManifestStore a = newStore(); PostgresManifestStore b = newStore()) {
      PublishedRef ra = a.publish(TestManifests.run("a1", 1));
      b.publish(TestManifests.run("b1", 2));
      PublishedRef rb2 = b.publish(TestManifests.run("b2", 3));

      assertThat(a.listManifests(10)).extracting(ManifestEntry::runId).containsExactly("a1");
      assertThat(b.listManifests(10)).extracting(ManifestEntry::runId)
          .containsExactly("b2", "b1");
      assertThat(a.loadCurrent().orElseThrow().manifestRef()).isEqualTo(ra.manifestRef());
      assertThat(b.loadCurrent().orElseThrow().manifestRef()).isEqualTo(rb2.manifestRef());

      assertThatThrownBy(() -> a.loadManifest(rb2.manifestRef()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(b.config().dataset())
          .hasMessageContaining("open a store for that dataset");
      assertThatThrownBy(() -> a.setCurrent(rb2.manifestRef()))
          .isInstanceOf(StorageException.class);
      assertThatThrownBy(() -> a.deleteManifests(List.of(rb2.manifestRef())))
          .isInstanceOf(ConfigValidationException.class);
      assertThat(b.listManifests(10)).hasSize(2);
      assertThat(a.loadCurrent().orElseThrow().manifestRef()).isEqualTo(ra.manifestRef());
    }
  }

  @Test
  void refsOfOtherStoresOrUnknownManifestsAreClearErrors() {
    try (PostgresManifestStore store = newStore()) {
      assertThatThrownBy(() -> store.loadManifest("s3://bucket/snap/manifests/x/manifest"))
          .isInstanceOf(ConfigValidationException.class)
          .hasMessageContaining("is not a PostgreSQL manifest ref")
          .hasMessageContaining("postgres:" + store.config().dataset() + "/");
      assertThatThrownBy(() -> store.loadManifest(""))
          .isInstanceOf(ConfigValidationException.class);
      String unknown = "postgres:" + store.config().dataset() + "/20260101T000000.000Z_run_id=x";
      assertThatThrownBy(() -> store.loadManifest(unknown))
          .isInstanceOf(ObjectNotFoundException.class)
          .hasMessageContaining(unknown);
      assertThatThrownBy(() -> store.setCurrent(unknown))
          .isInstanceOf(ObjectNotFoundException.class);
      assertThat(store.loadCurrent()).isEmpty();
    }
  }

  @Test
  void publishIsAtomicWhenThePointerInsertFails() throws SQLException {
    // The trigger fails pointer inserts of one dataset only, so other tests are unaffected.
    try (PostgresManifestStore store = newStore()) {
      PublishedRef first = store.publish(TestManifests.run("ok", 1));
      String dataset = store.config().dataset();
      sql("CREATE FUNCTION fail_" + suffix(dataset) + "() RETURNS trigger LANGUAGE plpgsql AS "
          + "$$ BEGIN IF NEW.dataset = '" + dataset + "' THEN RAISE EXCEPTION 'pointer insert "
          + "refused by test'; END IF; RETURN NEW; END $$");
      sql("CREATE TRIGGER fail_" + suffix(dataset) + " BEFORE INSERT ON shardyfusion_pointers "
          + "FOR EACH ROW EXECUTE FUNCTION fail_" + suffix(dataset) + "()");
      try {
        assertThatThrownBy(() -> store.publish(TestManifests.run("doomed", 2)))
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("pointer insert refused by test")
            .hasMessageContaining("publish manifest");

        assertThat(store.listManifests(10)).extracting(ManifestEntry::runId)
            .containsExactly("ok");
        assertThat(store.loadCurrent().orElseThrow().manifestRef())
            .isEqualTo(first.manifestRef());
      } finally {
        sql("DROP TRIGGER fail_" + suffix(dataset) + " ON shardyfusion_pointers");
      }
      // The store's connection survived the failed transaction.
      assertThat(store.publish(TestManifests.run("after", 3)).pointer().runId())
          .isEqualTo("after");
    }
  }

  @Test
  void setCurrentAndRollbackAppendPointerRowsAndKeepHistory() {
    try (PostgresManifestStore store = newStore()) {
      List<PublishedRef> refs = List.of(store.publish(TestManifests.run("r1", 1)),
          store.publish(TestManifests.run("r2", 2)), store.publish(TestManifests.run("r3", 3)));

      CurrentPointer byOffset = Rollback.rollbackTo(store, Rollback.Selector.offset(1));
      assertThat(byOffset.runId()).isEqualTo("r2");
      CurrentPointer byRunId = Rollback.rollbackTo(store, Rollback.Selector.runId("r1"));
      assertThat(byRunId.manifestRef()).isEqualTo(refs.get(0).manifestRef());
      CurrentPointer byRef =
          Rollback.rollbackTo(store, Rollback.Selector.ref(refs.get(2).manifestRef()));
      assertThat(byRef.runId()).isEqualTo("r3");

      assertThat(store.loadCurrent().orElseThrow()).isEqualTo(byRef);
      assertThat(store.pointerHistory(10)).extracting(CurrentPointer::runId)
          .containsExactly("r3", "r1", "r2", "r3", "r2", "r1");
      assertThat(store.pointerHistory(2)).hasSize(2);
      assertThat(store.listManifests(10)).hasSize(3);
    }
  }

  @Test
  void malformedManifestRowIsAParseErrorNamingTheRef() throws SQLException {
    try (PostgresManifestStore store = newStore()) {
      PublishedRef good = store.publish(TestManifests.run("good", 1));
      String dataset = store.config().dataset();
      String name = "20260105T150000.000Z_run_id=broken";
      try (Connection c = pg.connect(database); PreparedStatement ps = c.prepareStatement(
          "INSERT INTO shardyfusion_manifests (dataset, name, run_id, created_at, "
              + "created_at_nanos, num_dbs, shard_count, total_rows, manifest) "
              + "VALUES (?, ?, 'broken', now(), 0, 4, 1, 1, ?)")) {
        ps.setString(1, dataset);
        ps.setString(2, name);
        ps.setBytes(3, "{\"required\": {\"run_id\": ".getBytes(StandardCharsets.UTF_8));
        ps.executeUpdate();
      }
      String ref = "postgres:" + dataset + "/" + name;

      assertThatThrownBy(() -> store.loadManifest(ref))
          .isInstanceOf(ManifestParseException.class)
          .hasMessageContaining(ref);
      assertThatThrownBy(() -> store.setCurrent(ref))
          .isInstanceOf(ManifestParseException.class)
          .hasMessageContaining(ref);
      assertThat(store.loadCurrent().orElseThrow().manifestRef()).isEqualTo(good.manifestRef());
      // Listing reads the columns, not the JSON, so one bad row does not hide the history.
      assertThat(store.listManifests(10)).extracting(ManifestEntry::runId)
          .containsExactly("broken", "good");
    }
  }

  @Test
  void publishingTheSameManifestAgainIsIdempotentButADifferentOneIsRefused() {
    try (PostgresManifestStore store = newStore()) {
      Manifest m = TestManifests.run("retried", 1);
      PublishedRef first = store.publish(m);
      PublishedRef again = store.publish(m);
      assertThat(again.manifestRef()).isEqualTo(first.manifestRef());
      assertThat(store.listManifests(10)).hasSize(1);

      Manifest other = new Manifest(m.required(), m.shards(),
          java.util.Map.of("note", "a different manifest"));
      assertThatThrownBy(() -> store.publish(other))
          .isInstanceOf(ConfigValidationException.class)
          .hasMessageContaining("a different manifest is already stored as "
              + first.manifestRef());
      assertThat(store.loadManifest(first.manifestRef())).isEqualTo(m);
      assertThat(store.pointerHistory(10)).as("a retried publish adds no pointer move")
          .hasSize(1);

      // A retry that arrives after a newer publish must not move the pointer back.
      PublishedRef newer = store.publish(TestManifests.run("newer", 2));
      PublishedRef late = store.publish(m);
      assertThat(late.pointer().runId()).isEqualTo("newer");
      assertThat(store.loadCurrent().orElseThrow().manifestRef())
          .isEqualTo(newer.manifestRef());
    }
  }

  @Test
  void aConnectionTheServerKillsFailsOneCallRetryablyThenTheStoreReconnects()
      throws SQLException {
    try (PostgresManifestStore store = newStore()) {
      store.publish(TestManifests.run("before", 1));
      // Waits (up to 5 s) until the store's backend is gone, so the next call must fail.
      sql("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = "
          + "current_database() AND application_name = 'shardyfusion'");

      assertThatThrownBy(store::loadCurrent)
          .isInstanceOfSatisfying(StorageException.class,
              e -> assertThat(e.retryable()).as("retryable of %s", e.getMessage()).isTrue());
      assertThat(store.loadCurrent().orElseThrow().runId()).isEqualTo("before");
    }
  }

  @Test
  void aRunIdThatCannotBePartOfARefIsRefusedBeforeAnythingIsWritten() {
    try (PostgresManifestStore store = newStore()) {
      assertThatThrownBy(() -> store.publish(TestManifests.run("a/b", 1)))
          .isInstanceOf(ConfigValidationException.class)
          .hasMessageContaining("runId 'a/b' is invalid");
      assertThat(store.listManifests(10)).isEmpty();
      assertThat(store.loadCurrent()).isEmpty();
    }
  }

  @Test
  void listManifestsRejectsANegativeLimitAndHonoursZero() {
    try (PostgresManifestStore store = newStore()) {
      store.publish(TestManifests.run("r1", 1));
      assertThat(store.listManifests(0)).isEmpty();
      assertThatThrownBy(() -> store.listManifests(-1))
          .isInstanceOf(ConfigValidationException.class)
          .hasMessageContaining("limit must be >= 0");
    }
  }

  private static byte[] storedBytes(String dataset, String name) throws SQLException {
    try (Connection c = pg.connect(database); PreparedStatement ps = c.prepareStatement(
        "SELECT manifest FROM shardyfusion_manifests WHERE dataset = ? AND name = ?")) {
      ps.setString(1, dataset);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("row of %s/%s", dataset, name).isTrue();
        return rs.getBytes(1);
      }
    }
  }

  private static void sql(String statement) throws SQLException {
    try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private static String suffix(String dataset) {
    return dataset.replaceAll("[^a-z0-9]", "_");
  }
}
