package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.backend.BuiltShard;
import io.shardyfusion.backend.rocksdb.RocksDbBackend;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.writer.sort.RunMerger;
import io.shardyfusion.writer.sort.RunSorter;
import io.shardyfusion.writer.sort.ShardBuild;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard task's view of retries: the same run handed twice is used once, while a key in two
 * different runs is a true duplicate that fails the build.
 */
class ShardRunsMergeTest {
  @TempDir Path tmp;

  /** One bundle's sorted run of keys {@code from..to-1} (u64be) for shard 0. */
  private static SortedRun run(long bundle, long from, long to) {
    RunSorter sorter = new RunSorter(1 << 20, 1 << 20);
    for (long k = from; k < to; k++) {
      sorter.add(0, ByteBuffer.allocate(8).putLong(k).array(), new byte[] {(byte) k});
    }
    List<SortedRun> out = new ArrayList<>();
    sorter.drainBlocks((shard, block, records) -> out.add(SortedRun.block(bundle, 0, records,
        block)));
    return out.get(0);
  }

  private BuiltShard build(List<SortedRun> runs, String name) {
    return ShardBuild.build(RocksDbBackend.defaults(), 0,
        BuildShardFn.merge(runs, new RunMerger(tmp.resolve(name + "-merge"), 1 << 20)),
        tmp.resolve(name), KeyEncoding.U64BE);
  }

  @Test
  void aRunDeliveredTwiceIsUsedOnce() {
    SortedRun a = run(1, 0, 500);
    SortedRun b = run(2, 500, 1000);
    BuiltShard shard = build(List.of(a, b, a, b), "twice");
    assertThat(shard.rowCount()).isEqualTo(1000);
  }

  @Test
  void theSameKeysInRunsOfTwoBundlesAreTrueDuplicates() {
    // Two bundles (different ids) both holding key 42: a duplicate in the input, not a retry.
    List<SortedRun> runs = List.of(run(1, 0, 100), run(2, 42, 43));
    assertThatThrownBy(() -> build(runs, "dup"))
        .isInstanceOf(DuplicateKeyException.class).hasMessageContaining("42");
  }
}
