package io.shardyfusion.storage;

/** Opens the store a prefix URL names. */
public final class ObjectStores {
  private ObjectStores() {}

  /**
   * @param prefix {@code s3://bucket/path} or {@code file:///dir}
   * @param options connection options for {@code s3://} (ignored for files; null = defaults)
   * @param credentials credentials for {@code s3://} (null = the default chain)
   */
  public static ObjectStore open(String prefix, S3ConnectionOptions options,
      CredentialProvider credentials) {
    StorageLocation loc = StorageLocation.parse(prefix);
    if (loc.isS3()) {
      return new S3ObjectStore(loc,
          options == null ? S3ConnectionOptions.defaults() : options,
          credentials == null ? CredentialProvider.defaultChain() : credentials);
    }
    return new LocalObjectStore(loc.localPath());
  }
}
