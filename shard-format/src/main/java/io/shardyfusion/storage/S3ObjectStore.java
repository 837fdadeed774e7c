package io.shardyfusion.storage;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.ObjectNotFoundException;
import io.shardyfusion.errors.StorageException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@code s3://bucket/path} store over any S3-compatible API (AWS S3, GCS interoperability,
 * MinIO, S3Proxy), using the AWS SDK v2 sync client with the Apache HTTP client.
 *
 * <pre>{@code
 * ObjectStore store = new S3ObjectStore(StorageLocation.parse("s3://bucket/snapshots"),
 *     S3ConnectionOptions.builder().endpointUrl("http://127.0.0.1:9000")
 *         .addressingStyle("path").build(),
 *     new StaticCredentialProvider(accessKey, secretKey));
 * }</pre>
 *
 * <p>Key {@code k} is the object {@code <path>/k} in the bucket ({@code k} when the path is
 * empty). Each object is written by one PUT or one multipart upload, which S3 makes visible
 * atomically, so readers see the old or the new object. Failures surface as
 * {@link StorageException}s naming the operation, URL, endpoint, server answer and a fix; the
 * SDK's standard retry strategy has already retried what may pass on a second try.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final int DELETE_BATCH = 1000;
  private static final int MAX_PARTS = 10_000;

  private final StorageLocation location;
  private final S3ConnectionOptions options;
  private final S3Client s3;
  private final RequestRetryCounter retries = new RequestRetryCounter();
  private final String endpoint;
  // Set once a server refuses DeleteObjects, so later batches go straight to single deletes.
  private volatile boolean batchDeleteUnsupported;

  /**
   * @param location an {@code s3://} location
   * @param options endpoint, addressing style, region, timeouts, retries, multipart sizes
   * @param credentials where the access keys come from
   */
  public S3ObjectStore(StorageLocation location, S3ConnectionOptions options,
      CredentialProvider credentials) {
    this.location = Objects.requireNonNull(location, "location");
    this.options = Objects.requireNonNull(options, "options");
    Objects.requireNonNull(credentials, "credentials");
    if (!location.isS3()) {
      throw new ConfigValidationException(location.url() + " is not an s3:// location; open "
          + "it with ObjectStores.open, which picks the store by scheme");
    }
    this.s3 = S3Clients.create(options, credentials, retries);
    this.endpoint = options.endpointUrl() != null ? options.endpointUrl()
        : "AWS S3 (" + S3Clients.region(options) + ")";
  }

  @Override
  public String baseUrl() {
    return location.url();
  }

  @Override
  public long requestRetries() {
    return retries.retries();
  }

  /** The object key in the bucket for a store key. */
  String objectKey(String key) {
    if (key == null || key.isEmpty() || key.startsWith("/")) {
      throw new StorageException("key '" + key + "' is not a valid key under " + baseUrl()
          + "; keys are non-empty relative paths", false);
    }
    return location.path().isEmpty() ? key : location.path() + "/" + key;
  }

  @Override
  public void put(String key, byte[] data, String contentType) {
    String objectKey = objectKey(key);
    call("put", key, () -> s3.putObject(b -> b.bucket(bucket()).key(objectKey)
        .contentType(contentType), RequestBody.fromBytes(data)));
  }

  @Override
  public void putFile(String key, Path file) {
    String objectKey = objectKey(key);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new StorageException("cannot upload " + file + " to " + url(key)
          + ": the local file cannot be read (" + e + ")", false, e);
    }
    if (size < options.multipartThresholdBytes()) {
      call("put", key, () -> s3.putObject(b -> b.bucket(bucket()).key(objectKey),
          RequestBody.fromFile(file)));
    } else {
      multipartUpload(key, objectKey, file, size);
    }
  }

  private void multipartUpload(String key, String objectKey, Path file, long size) {
    // Grow the parts if the configured size would need more parts than S3 allows.
    long partSize = Math.max(options.multipartPartSizeBytes(), ceilDiv(size, MAX_PARTS));
    String uploadId = call("start multipart upload of", key,
        () -> s3.createMultipartUpload(b -> b.bucket(bucket()).key(objectKey)).uploadId());
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int partNumber = 1;
      for (long offset = 0; offset < size; offset += partSize, partNumber++) {
        int n = partNumber;
        try (FileSlice slice = new FileSlice(file, offset, Math.min(partSize, size - offset))) {
          String etag = call("upload part " + n + " of", key, () -> s3.uploadPart(
              b -> b.bucket(bucket()).key(objectKey).uploadId(uploadId).partNumber(n)
                  .contentLength(slice.length()),
              RequestBody.fromContentProvider(slice, slice.length(), "application/octet-stream"))
              .eTag());
          parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
        }
      }
      call("complete multipart upload of", key, () -> s3.completeMultipartUpload(b -> b
          .bucket(bucket()).key(objectKey).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts))));
    } catch (RuntimeException e) {
      // Uploaded parts are billed until aborted; nothing else cleans them up.
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket()).key(objectKey).uploadId(uploadId));
      } catch (RuntimeException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    }
  }

  @Override
  public byte[] get(String key) {
    return getIfExists(key).orElseThrow(() -> new ObjectNotFoundException(url(key)));
  }

  @Override
  public Optional<byte[]> getIfExists(String key) {
    String objectKey = objectKey(key);
    try {
      return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket()).key(objectKey))
          .asByteArray());
    } catch (SdkException e) {
      if (S3Errors.isNoSuchKey(e)) {
        return Optional.empty();
      }
      throw S3Errors.map("get", url(key), endpoint, e);
    }
  }

  /**
   * Reads the response's Content-Length before the body: a large object is never buffered. The
   * body is read inside a response transformer, so a connection reset or a body cut short is an
   * IOException the SDK retries with the whole GET, as it does for {@link #getIfExists(String)}
   * (reading a returned stream ourselves would put such failures outside its retries).
   */
  @Override
  public Optional<byte[]> getIfExists(String key, long maxBytes) {
    String objectKey = objectKey(key);
    ResponseTransformer<GetObjectResponse, byte[]> bounded = (response, in) -> {
      Long length = response.contentLength();
      if (length != null && length > maxBytes) {
        throw new TooLarge(length); // not read: the SDK closes the connection
      }
      byte[] data = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      if (data.length > maxBytes) {
        throw new TooLarge(data.length);
      }
      return data;
    };
    try {
      return Optional.of(s3.getObject(b -> b.bucket(bucket()).key(objectKey), bounded));
    } catch (TooLarge e) {
      throw new io.shardyfusion.errors.ObjectTooLargeException(url(key), e.size, maxBytes);
    } catch (SdkException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof TooLarge t) {
          throw new io.shardyfusion.errors.ObjectTooLargeException(url(key), t.size, maxBytes);
        }
      }
      if (S3Errors.isNoSuchKey(e)) {
        return Optional.empty();
      }
      throw S3Errors.map("get", url(key), endpoint, e);
    }
  }

  /** Thrown inside the bounded transformer; never retried (not an IOException). */
  private static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long size;

    TooLarge(long size) {
      super(null, null, false, false);
      this.size = size;
    }
  }

  @Override
  public void download(String key, Path target) {
    String objectKey = objectKey(key);
    Path absolute = target.toAbsolutePath();
    // A sibling temp file, renamed into place, so the target is never a partial download. It
    // must not exist yet: the SDK's file transformer refuses to overwrite, and on a broken
    // stream deletes it and retries the GET.
    Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "."
        + UUID.randomUUID() + ".sf-download");
    try {
      Files.createDirectories(absolute.getParent());
      s3.getObject(b -> b.bucket(bucket()).key(objectKey), ResponseTransformer.toFile(tmp));
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (SdkException e) {
      if (S3Errors.isNoSuchKey(e)) {
        throw new ObjectNotFoundException(url(key));
      }
      throw S3Errors.map("download", url(key), endpoint, e);
    } catch (IOException e) {
      throw new StorageException("cannot download " + url(key) + " to " + absolute
          + ": the local file cannot be written (" + e + ")", false, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // A leftover hidden temp file is harmless.
      }
    }
  }

  @Override
  public List<ObjectInfo> list(String keyPrefix) {
    String base = location.path().isEmpty() ? "" : location.path() + "/";
    ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket())
        .prefix(base + keyPrefix).build();
    List<ObjectInfo> out = new ArrayList<>();
    call("list", keyPrefix, () -> {
      for (S3Object o : s3.listObjectsV2Paginator(request).contents()) {
        out.add(new ObjectInfo(o.key().substring(base.length()), o.size(), o.lastModified()));
      }
      return null;
    });
    // S3 orders by UTF-8 bytes; sort as the local store does so both list alike.
    out.sort(Comparator.comparing(ObjectInfo::key));
    return out;
  }

  @Override
  public void delete(String key) {
    String objectKey = objectKey(key);
    // S3 answers 204 for a missing key, so deleting twice is fine.
    call("delete", key, () -> s3.deleteObject(b -> b.bucket(bucket()).key(objectKey)));
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    List<String> all = new ArrayList<>(keys);
    for (int from = 0; from < all.size(); from += DELETE_BATCH) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + DELETE_BATCH));
      if (batchDeleteUnsupported) {
        batch.forEach(this::delete);
      } else {
        deleteBatch(batch);
      }
    }
  }

  private void deleteBatch(List<String> batch) {
    List<ObjectIdentifier> ids = new ArrayList<>(batch.size());
    for (String k : batch) {
      ids.add(ObjectIdentifier.builder().key(objectKey(k)).build());
    }
    DeleteObjectsResponse response;
    try {
      response = s3.deleteObjects(b -> b.bucket(bucket())
          .delete(d -> d.objects(ids).quiet(true)));
    } catch (SdkException e) {
      if (!S3Errors.batchDeleteRefused(e)) {
        throw S3Errors.map("delete " + batch.size() + " objects under", baseUrl(), endpoint, e);
      }
      // Some S3 APIs (e.g. GCS interop) have no batch delete: one request per key instead.
      batchDeleteUnsupported = true;
      batch.forEach(this::delete);
      return;
    }
    if (response.hasErrors() && !response.errors().isEmpty()) {
      S3Error first = response.errors().get(0);
      throw new StorageException("delete " + batch.size() + " objects under " + baseUrl()
          + " failed at endpoint " + endpoint + " for " + response.errors().size()
          + " of them, e.g. " + first.key() + ": " + first.code() + " (" + first.message()
          + ")" + ("AccessDenied".equals(first.code())
              ? "; check the credentials/credentialProvider and the bucket policy" : ""),
          !"AccessDenied".equals(first.code()));
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return "S3ObjectStore{" + baseUrl() + " at " + endpoint + "}";
  }

  private String bucket() {
    return location.bucket();
  }

  /** Runs one SDK call, mapping its failure to a {@link StorageException} about {@code key}. */
  private <T> T call(String op, String key, SdkCall<T> body) {
    try {
      return body.run();
    } catch (SdkException e) {
      throw S3Errors.map(op, url(key), endpoint, e);
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  @FunctionalInterface
  private interface SdkCall<T> {
    T run();
  }
}
