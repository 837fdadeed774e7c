package io.shardyfusion.errors;

/**
 * An object larger than the caller is willing to load into memory (a manifest, a pointer, a run
 * record). Not retryable: the object will not shrink by reading it again.
 */
public class ObjectTooLargeException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final long size;

  public ObjectTooLargeException(String url, long size, long maxBytes) {
    super(url + " is " + size + " bytes, more than the " + maxBytes + " bytes this read "
        + "allows", false);
    this.size = size;
  }

  /** The object's size as the store reported it (or a lower bound when it did not say). */
  public long size() {
    return size;
  }
}
