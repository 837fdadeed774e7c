package io.shardyfusion.errors;

/**
 * Two records with the same key in one snapshot. Snapshots never resolve duplicates silently
 * (no last-write-wins): deduplicate the input first. Never retryable.
 */
public class DuplicateKeyException extends ShardyfusionException {
  private static final long serialVersionUID = 1L;
  private final int dbId;
  private final String key;

  public DuplicateKeyException(int dbId, String key) {
    super("duplicate key " + key + " in shard " + dbId
        + ": every key must appear once per snapshot; deduplicate the input before writing", false);
    this.dbId = dbId;
    this.key = key;
  }

  public int dbId() {
    return dbId;
  }

  /** The key in readable form (a number, a quoted string, or hex for raw bytes). */
  public String key() {
    return key;
  }
}
