package io.shardyfusion.cli;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;

/**
 * Manifests kept beside the shards in S3 or a local directory: the URL is the {@code _CURRENT}
 * object itself, and the snapshot prefix is the URL without {@code /_CURRENT}.
 */
final class ObjectStoreResolver implements ManifestStoreResolver {
  private static final String SUFFIX = "/" + SnapshotLayout.CURRENT;

  @Override
  public boolean handles(String currentUrl) {
    return currentUrl.startsWith("s3://") || currentUrl.startsWith("file:");
  }

  @Override
  public Resolved open(String currentUrl, Access access) {
    if (!currentUrl.endsWith(SUFFIX) || currentUrl.length() == SUFFIX.length()) {
      throw new UsageException("--current-url '" + currentUrl + "' must end with " + SUFFIX
          + ", e.g. s3://bucket/snapshots/users" + SUFFIX);
    }
    String prefix = currentUrl.substring(0, currentUrl.length() - SUFFIX.length());
    ObjectStore store;
    try {
      store = ObjectStores.open(prefix, access.s3Options(), access.credentials());
    } catch (ConfigValidationException e) {
      throw new UsageException("--current-url '" + currentUrl + "': " + e.getMessage(), e);
    }
    return new Resolved(new ObjectStoreManifestStore(store), store.baseUrl(), null,
        store::close);
  }
}
