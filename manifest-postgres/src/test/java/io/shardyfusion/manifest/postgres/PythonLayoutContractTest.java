package io.shardyfusion.manifest.postgres;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreContractTest;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.UsesPostgres;
import org.junit.jupiter.api.BeforeAll;

/** The contract every manifest store meets, in the Python layout on a real PostgreSQL server. */
@UsesPostgres
class PythonLayoutContractTest extends ManifestStoreContractTest {
  private static PostgresServer pg;
  private static String database;

  @BeforeAll
  static void database(PostgresServer server) {
    pg = server;
    database = server.createDatabase("pycontract");
  }

  @Override
  protected ManifestStore newStore() {
    return new PostgresManifestStore(PgFixture.pythonConfig(pg, database).build());
  }
}
