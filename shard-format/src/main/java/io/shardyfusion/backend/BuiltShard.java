package io.shardyfusion.backend;

import io.shardyfusion.manifest.ShardFile;
import java.nio.file.Path;
import java.util.List;

/**
 * A shard built in a local directory and ready to upload, whatever its backend.
 *
 * @param files the files to upload with their sizes and CRC32C, in name order
 * @param minKey the smallest stored key, {@code maxKey} the largest (encoded bytes)
 * @param recordBytes key + value bytes of the records (before compression)
 * @param contentHash XXH3-128 over the sorted records (32 hex digits): equal hashes mean equal
 *     contents, whatever the file bytes (which may carry build times and ids)
 */
public record BuiltShard(int dbId, Path dir, List<ShardFile> files, long rowCount,
    long dbBytes, long recordBytes, byte[] minKey, byte[] maxKey, String contentHash) {

  public BuiltShard {
    files = List.copyOf(files);
  }
}
