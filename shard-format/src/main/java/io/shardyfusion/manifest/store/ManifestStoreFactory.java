package io.shardyfusion.manifest.store;

import io.shardyfusion.storage.ObjectStore;
import java.io.Serializable;

/**
 * Opens the {@link ManifestStore} a writer publishes to. Serializable so that it travels with a
 * Beam pipeline to the worker that publishes; the store itself (connections) never does.
 *
 * <pre>{@code
 * WriteConfig.builder()...manifestStore(ManifestStoreFactory.objectStore())      // the default
 * WriteConfig.builder()...manifestStore(PostgresManifestStore.factory(pgConfig))  // PostgreSQL
 * }</pre>
 */
@FunctionalInterface
public interface ManifestStoreFactory extends Serializable {

  /**
   * Opens the store. {@code snapshotStore} is the object store holding the snapshot's shards;
   * stores that keep manifests elsewhere ignore it.
   */
  ManifestStore open(ObjectStore snapshotStore);

  /**
   * Manifests and {@code _CURRENT} next to the shards, in the object store (the default). Its
   * {@code toString()} names it (factories describe themselves that way, e.g. in a Beam
   * transform's display data; never with a password).
   */
  static ManifestStoreFactory objectStore() {
    return ObjectStoreManifestStoreFactory.INSTANCE;
  }
}
