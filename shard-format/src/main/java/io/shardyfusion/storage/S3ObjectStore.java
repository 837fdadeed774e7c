package io.shardyfusion.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Placeholder: the S3 implementation is being written. */
public final class S3ObjectStore implements ObjectStore {
  public S3ObjectStore(StorageLocation location, S3ConnectionOptions options,
      CredentialProvider credentials) {
    throw new UnsupportedOperationException("s3:// is not built yet");
  }

  @Override
  public String baseUrl() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void put(String key, byte[] data, String contentType) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void putFile(String key, Path file) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] get(String key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<byte[]> getIfExists(String key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void download(String key, Path target) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<ObjectInfo> list(String keyPrefix) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void delete(String key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
