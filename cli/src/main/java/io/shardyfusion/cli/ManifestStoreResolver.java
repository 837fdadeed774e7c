package io.shardyfusion.cli;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.storage.CredentialProvider;
import io.shardyfusion.storage.S3ConnectionOptions;

/**
 * Opens the manifest store a {@code --current-url} names. One implementation per kind of store
 * ({@link ObjectStoreResolver}, {@link PostgresResolver}); {@link ManifestStoreResolvers} lists
 * them.
 */
public interface ManifestStoreResolver {

  /** Whether this resolver understands the URL (usually: its scheme). */
  boolean handles(String currentUrl);

  /**
   * Opens the store. Nothing is read yet: a store that does not exist fails on first use.
   *
   * @throws UsageException when the URL is malformed for this kind of store
   */
  Resolved open(String currentUrl, Access access);

  /** How to reach object storage (and possibly the store itself). */
  record Access(S3ConnectionOptions s3Options, CredentialProvider credentials) {}

  /**
   * An opened store.
   *
   * @param snapshotPrefix the object-store prefix readers open ({@code s3://bucket/path} or
   *     {@code file:///dir}); shards and, for object stores, manifests live under it
   * @param readerStore how a reader opens this manifest store, or null when manifests live
   *     under {@code snapshotPrefix} (the reader's default)
   * @param resources closed with the store (connections, clients)
   */
  record Resolved(ManifestStore manifests, String snapshotPrefix,
      ManifestStoreFactory readerStore, AutoCloseable resources) {}
}
