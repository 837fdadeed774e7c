package io.shardyfusion.storage;

import java.time.Instant;

/**
 * A listed object: its key relative to the store's prefix, its size in bytes, and when it was
 * last written ({@code null} when the store cannot tell). Cleanup uses the time to leave young
 * uploads of a run without a run record alone.
 */
public record ObjectInfo(String key, long size, Instant lastModified) {

  /** An object whose write time is unknown. */
  public ObjectInfo(String key, long size) {
    this(key, size, null);
  }
}
