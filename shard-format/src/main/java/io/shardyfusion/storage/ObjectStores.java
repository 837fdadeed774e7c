package io.shardyfusion.storage;

/** Opens the store a prefix URL names. */
public final class ObjectStores {
  private static volatile java.util.function.UnaryOperator<ObjectStore> decorator =
      java.util.function.UnaryOperator.identity();

  private ObjectStores() {}

  /**
   * Wraps every store opened in this JVM from now on, e.g. with a {@link CountingObjectStore}
   * to count what a write or a refresh costs. For instrumentation and benchmarks; closing the
   * returned handle restores the previous behaviour.
   */
  public static AutoCloseable instrument(java.util.function.UnaryOperator<ObjectStore> wrap) {
    java.util.function.UnaryOperator<ObjectStore> previous = decorator;
    decorator = wrap;
    return () -> decorator = previous;
  }

  /**
   * @param prefix {@code s3://bucket/path} or {@code file:///dir}
   * @param options connection options for {@code s3://} (ignored for files; null = defaults)
   * @param credentials credentials for {@code s3://} (null = the default chain)
   */
  public static ObjectStore open(String prefix, S3ConnectionOptions options,
      CredentialProvider credentials) {
    StorageLocation loc = StorageLocation.parse(prefix);
    ObjectStore store = loc.isS3()
        ? new S3ObjectStore(loc, options == null ? S3ConnectionOptions.defaults() : options,
            credentials == null ? CredentialProvider.defaultChain() : credentials)
        : new LocalObjectStore(loc.localPath());
    return decorator.apply(store);
  }
}
