package io.shardyfusion.writer.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.backend.rocksdb.RocksDbBackend;
import io.shardyfusion.backend.rocksdb.ShardFormatOptions;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.storage.Checksums;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** The generic build path (duplicates, metadata) over the RocksDB backend. */
class ShardBuildTest {
  @TempDir Path tmp;

  private ExternalSorter sorted(long rows, int valueSize, long duplicateOf) {
    ExternalSorter sorter = new ExternalSorter(tmp.resolve("sort"), 4 << 20, null);
    Random rnd = new Random(1);
    for (long i = 0; i < rows; i++) {
      long k = (i * 7919) % rows; // every key once, in scrambled order
      byte[] v = new byte[valueSize];
      rnd.nextBytes(v);
      v[0] = (byte) k;
      sorter.add(3, KeyEncoding.encodeU64(k), v);
    }
    if (duplicateOf >= 0) {
      sorter.add(3, KeyEncoding.encodeU64(duplicateOf), new byte[] {1});
    }
    sorter.finishInput();
    return sorter;
  }

  @Test
  void buildsAReadOnlyOpenableDatabaseWithAccurateMetadata() throws Exception {
    try (ExternalSorter sorter = sorted(50_000, 100, -1)) {
      // Small SST files force the split path: a shard may span several files.
      ShardFormatOptions format = ShardFormatOptions.defaults().withCompression("none")
          .withMaxSstFileBytes(1 << 20);
      BuiltShard shard = ShardBuild.build(RocksDbBackend.of(format), 3, sorter.cursor(3),
          tmp.resolve("db"), KeyEncoding.U64BE);

      assertThat(shard.rowCount()).isEqualTo(50_000);
      assertThat(KeyEncoding.U64BE.decode(shard.minKey())).isEqualTo(0L);
      assertThat(KeyEncoding.U64BE.decode(shard.maxKey())).isEqualTo(49_999L);
      assertThat(shard.files().stream().filter(f -> f.name().endsWith(".sst")).count())
          .as("50k x 108 bytes in 1 MiB files").isGreaterThan(3);
      assertThat(shard.files()).noneMatch(f -> f.name().startsWith("LOG") || f.name().equals("LOCK"));
      long sum = 0;
      for (ShardFile f : shard.files()) {
        assertThat(Checksums.crc32c(shard.dir().resolve(f.name()))).isEqualTo(f.crc32c());
        sum += f.size();
      }
      assertThat(shard.dbBytes()).isEqualTo(sum);

      try (Options o = new Options(); RocksDB db = RocksDB.openReadOnly(o, shard.dir().toString())) {
        for (long k = 0; k < 50_000; k += 997) {
          byte[] v = db.get(KeyEncoding.encodeU64(k));
          assertThat(v).hasSize(100);
          assertThat(v[0]).isEqualTo((byte) k);
        }
        assertThat(db.get(KeyEncoding.encodeU64(50_000))).isNull();
      }
    }
  }

  @Test
  void aDuplicateKeyFailsTheBuildAndNamesTheKey() {
    try (ExternalSorter sorter = sorted(1000, 10, 777)) {
      assertThatThrownBy(() -> ShardBuild.build(RocksDbBackend.defaults(), 3, sorter.cursor(3),
          tmp.resolve("dup"), KeyEncoding.U64BE))
          .isInstanceOf(DuplicateKeyException.class)
          .hasMessageContaining("duplicate key 777 in shard 3")
          .satisfies(e -> assertThat(((DuplicateKeyException) e).retryable()).isFalse());
    }
  }

  @Test
  void anEmptyShardBuildsNothing() {
    try (ExternalSorter sorter = new ExternalSorter(tmp.resolve("e"), 1 << 20, null)) {
      sorter.finishInput();
      assertThat(ShardBuild.build(RocksDbBackend.defaults(), 0, sorter.cursor(0),
          tmp.resolve("none"), KeyEncoding.U64BE)).isNull();
    }
  }
}
