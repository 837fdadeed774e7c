package io.shardyfusion.manifest.postgres;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.storage.ObjectStore;

/**
 * Opens a {@link PostgresManifestStore} wherever the factory is deserialized (e.g. on the Beam
 * worker that publishes). Only the config travels; see {@link PostgresConfig} on passwords.
 *
 * <pre>{@code
 * ManifestStoreFactory f = PostgresManifestStore.factory(cfg);
 * try (ManifestStore store = f.open(snapshotStore)) { ... }   // snapshotStore is ignored
 * }</pre>
 */
record PostgresManifestStoreFactory(PostgresConfig config) implements ManifestStoreFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public ManifestStore open(ObjectStore snapshotStore) {
    return new PostgresManifestStore(config);
  }
}
