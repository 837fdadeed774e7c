package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot that changed one shard uploads one shard, and a refreshing reader downloads one. */
class UnchangedShardReuseTest {
  @TempDir Path tmp;

  @Test
  void onlyTheChangedShardIsUploadedAndDownloaded() throws Exception {
    List<Long> keys = LongStream.range(0, 4000).boxed().toList();
    long changed = 1234L;
    int changedShard = ShardRouters.create(ShardingSpec.hash(), 8, KeyEncoding.U64BE)
        .route(changed);
    WriteConfig config = WriteConfig.builder().numDbs(8)
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("b")).build();
    BuildResult first = SnapshotWriter.writeSharded(keys, config, k -> k,
        k -> ("v" + k).getBytes(StandardCharsets.UTF_8));

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).localRoot(tmp.resolve("local")).build())) {
      Map<Path, Object> before = inodes(tmp.resolve("local"));

      BuildResult second = SnapshotWriter.writeSharded(keys, config, k -> k,
          k -> ((k == changed ? "new" : "v") + k).getBytes(StandardCharsets.UTF_8));

      LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
      List<ObjectInfo> uploadedBySecond =
          store.list(SnapshotLayout.runShardsPrefix(second.runId()));
      assertThat(uploadedBySecond).isNotEmpty().allSatisfy(o -> assertThat(o.key())
          .contains(String.format("db=%05d", changedShard)));
      for (ShardMeta s : second.winners()) {
        ShardMeta old = first.winners().stream().filter(x -> x.dbId() == s.dbId()).findFirst()
            .orElseThrow();
        if (s.dbId() == changedShard) {
          assertThat(s.dbUrl()).contains(second.runId());
          assertThat(s.contentHash()).isNotEqualTo(old.contentHash());
        } else {
          assertThat(s.dbUrl()).isEqualTo(old.dbUrl());
        }
      }

      assertThat(reader.refresh()).isTrue();
      assertThat(reader.get(changed)).asString(StandardCharsets.UTF_8).isEqualTo("new" + changed);
      assertThat(reader.get(7L)).asString(StandardCharsets.UTF_8).isEqualTo("v7");
      reader.awaitHousekeeping(); // the replaced state's unused files are evicted off-thread
      Map<Path, Object> after = inodes(tmp.resolve("local"));
      long kept = before.entrySet().stream()
          .filter(e -> e.getValue().equals(after.get(e.getKey()))).count();
      assertThat(kept).as("every file of the 7 unchanged shards is the same local file")
          .isEqualTo(before.keySet().stream()
              .filter(p -> !p.toString().contains(String.format("db=%05d", changedShard)))
              .count());
      assertThat(after.keySet().stream().filter(p -> p.toString().contains(second.runId())))
          .as("the changed shard was downloaded").isNotEmpty();
      assertThat(after.keySet().stream().filter(p -> p.toString().contains(first.runId())
          && p.toString().contains(String.format("db=%05d", changedShard))))
          .as("the replaced version of the changed shard was evicted").isEmpty();
    }
  }

  private static Map<Path, Object> inodes(Path root) throws Exception {
    Map<Path, Object> out = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(p), Files.readAttributes(p, BasicFileAttributes.class)
            .fileKey());
      }
    }
    return out;
  }
}
