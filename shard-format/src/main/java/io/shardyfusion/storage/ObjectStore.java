package io.shardyfusion.storage;

import io.shardyfusion.errors.StorageException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A flat key space under one prefix ({@code s3://bucket/path} or {@code file:///dir}). Keys are
 * relative to the prefix and use {@code /} as separator. Implementations are thread-safe.
 *
 * <p>Writes of a single object are atomic for readers: they see the old object or the new one,
 * never a torn one. That is what lets {@code _CURRENT} be replaced in place.
 */
public interface ObjectStore extends AutoCloseable {

  /** The prefix URL this store is rooted at, without a trailing slash. */
  String baseUrl();

  /** The full URL of a key: {@code baseUrl() + "/" + key}. */
  default String url(String key) {
    return baseUrl() + "/" + key;
  }

  /**
   * Turns a full URL under this store's prefix back into a key.
   *
   * @throws StorageException (not retryable) if the URL is not under the prefix: a manifest or
   *     ref that points elsewhere cannot become valid by trying again
   */
  default String keyOf(String url) {
    String base = baseUrl() + "/";
    if (url == null || !url.startsWith(base)) {
      throw new StorageException(url + " is not under " + baseUrl() + ": it points outside "
          + "this snapshot's prefix; open the store the URL belongs to, or fix the manifest",
          false);
    }
    String key = url.substring(base.length());
    String problem = keyProblem(key);
    if (problem != null) {
      throw new StorageException(url + " " + problem + ": it could name an object outside "
          + "this snapshot's prefix; fix the manifest or pointer that holds it", false);
    }
    return key;
  }

  /**
   * Why a key taken from a URL is not a plain relative key, or null when it is one: no empty,
   * {@code .} or {@code ..} segment (also percent-encoded), no backslash, no control character.
   */
  static String keyProblem(String key) {
    if (key.isEmpty()) {
      return "names the prefix itself, not an object under it";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "has a control character (\\x" + String.format("%02x", (int) c) + ")";
      }
      if (c == '\\') {
        return "has a backslash";
      }
    }
    for (String seg : key.split("/", -1)) {
      String dots = seg.replace("%2e", ".").replace("%2E", ".");
      if (seg.isEmpty() || dots.equals(".") || dots.equals("..")) {
        return "has a '" + seg + "' path segment";
      }
    }
    return null;
  }

  void put(String key, byte[] data, String contentType);

  /** Uploads a local file; large files go up in parts. */
  void putFile(String key, Path file);

  /** @throws io.shardyfusion.errors.ObjectNotFoundException if there is no such key */
  byte[] get(String key);

  /** The object, or empty when there is no such key. */
  Optional<byte[]> getIfExists(String key);

  /**
   * The object, or empty when there is no such key, refusing one larger than {@code maxBytes}
   * before it is read into memory (for objects whose writer is not trusted to keep them small:
   * manifests, pointers, run records).
   *
   * @throws io.shardyfusion.errors.ObjectTooLargeException (not retryable) when the object has
   *     more than {@code maxBytes} bytes
   */
  default Optional<byte[]> getIfExists(String key, long maxBytes) {
    // Implementations override this to check the size before reading; this default keeps
    // third-party stores working, bounded only after the read.
    Optional<byte[]> data = getIfExists(key);
    if (data.isPresent() && data.get().length > maxBytes) {
      throw new io.shardyfusion.errors.ObjectTooLargeException(url(key), data.get().length,
          maxBytes);
    }
    return data;
  }

  /** Downloads an object to a local file, replacing it. */
  void download(String key, Path target);

  /** Every object whose key starts with {@code keyPrefix}, in key order. */
  List<ObjectInfo> list(String keyPrefix);

  /** Deletes a key; deleting a missing key is not an error. */
  void delete(String key);

  /** Deletes many keys, batching where the store allows. */
  default void deleteAll(Collection<String> keys) {
    for (String k : keys) {
      delete(k);
    }
  }

  /**
   * Requests this store has retried so far (the S3 SDK's retry strategy; 0 for stores that do
   * not retry), for metrics.
   */
  default long requestRetries() {
    return 0;
  }

  @Override
  void close();
}
