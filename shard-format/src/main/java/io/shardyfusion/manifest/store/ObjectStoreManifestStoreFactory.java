package io.shardyfusion.manifest.store;

import io.shardyfusion.storage.ObjectStore;

/** {@link ManifestStoreFactory#objectStore()}: manifests next to the shards; named in displays. */
enum ObjectStoreManifestStoreFactory implements ManifestStoreFactory {
  INSTANCE;

  @Override
  public ManifestStore open(ObjectStore snapshotStore) {
    return new ObjectStoreManifestStore(snapshotStore);
  }

  @Override
  public String toString() {
    return "object store (next to the shards)";
  }
}
