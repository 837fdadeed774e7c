package io.shardyfusion.manifest.store;

class InMemoryManifestStoreContractTest extends ManifestStoreContractTest {
  @Override
  protected ManifestStore newStore() {
    return new InMemoryManifestStore();
  }
}
