package io.shardyfusion.manifest.store;

import io.shardyfusion.storage.LocalObjectStore;

class ObjectStoreManifestStoreContractTest extends ManifestStoreContractTest {
  @Override
  protected ManifestStore newStore() {
    return new ObjectStoreManifestStore(new LocalObjectStore(contractTmp.resolve("store")));
  }
}
