package io.shardyfusion.errors;

/** The object named does not exist in the store. Not retryable as such. */
public class ObjectNotFoundException extends StorageException {
  private static final long serialVersionUID = 1L;

  public ObjectNotFoundException(String url) {
    super("no object at " + url, false);
  }
}
