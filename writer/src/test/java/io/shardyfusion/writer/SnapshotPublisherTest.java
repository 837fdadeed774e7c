package io.shardyfusion.writer;

import io.shardyfusion.writer.publish.ShardAttempt;
import io.shardyfusion.writer.publish.SnapshotPublisher;
import io.shardyfusion.writer.publish.WinnerSelector;

import io.shardyfusion.layout.SnapshotLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotPublisherTest {
  @TempDir Path tmp;

  private ShardAttempt upload(LocalObjectStore store, String run, int db, String attempt,
      byte[] data) {
    String dir = SnapshotLayout.attemptDir(run, db, attempt);
    store.put(dir + "/000001.sst", data, "application/octet-stream");
    return new ShardAttempt(db, attempt, store.url(dir), 1, data.length, 0, 1L, 1L,
        List.of(new ShardFile("000001.sst", data.length, "00000000")), "test", "h", 0, null,
        null);
  }

  @Test
  void winnersDoNotDependOnArrivalOrder() {
    LocalObjectStore store = new LocalObjectStore(tmp);
    List<ShardAttempt> attempts = new ArrayList<>(List.of(
        upload(store, "r", 0, "b", new byte[1]), upload(store, "r", 0, "a", new byte[1]),
        upload(store, "r", 1, "z", new byte[1]), upload(store, "r", 0, "c", new byte[1])));
    List<ShardAttempt> first = WinnerSelector.winners(attempts);
    Collections.reverse(attempts);
    assertThat(WinnerSelector.winners(attempts)).isEqualTo(first);
    assertThat(first).extracting(ShardAttempt::attempt).containsExactly("a", "z");
    assertThat(WinnerSelector.losers(attempts, first)).extracting(ShardAttempt::attempt)
        .containsExactly("b", "c");
  }

  @Test
  void refusesToPublishAShardWhoseFilesAreIncompleteAndLeavesCurrentAlone() {
    LocalObjectStore store = new LocalObjectStore(tmp);
    ShardAttempt ok = upload(store, "r1", 0, "a", new byte[10]);
    ShardAttempt truncated = new ShardAttempt(1, "a", store.url(SnapshotLayout.attemptDir("r1", 1,
        "a")), 1, 99, 0, 1L, 1L, List.of(new ShardFile("000001.sst", 99, "00000000")), "t", "h", 0,
        null, null);
    WriteConfig cfg = WriteConfig.builder().numDbs(2).s3Prefix(store.baseUrl()).build();
    Manifest m = ManifestAssembler.assemble(cfg, "r1", Instant.now(), 2, List.of(ok, truncated));
    assertThatThrownBy(() -> SnapshotPublisher.publish(store,
        new io.shardyfusion.manifest.store.ObjectStoreManifestStore(store), m,
        io.shardyfusion.manifest.ManifestFormats.JSON))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("shard 1").hasMessageContaining("is missing");
    assertThat(store.getIfExists(SnapshotLayout.CURRENT)).isEmpty();
    assertThat(store.list("manifests/")).isEmpty();
  }

  @Test
  void losingAttemptsAreDeletedAndWinnersKept() {
    LocalObjectStore store = new LocalObjectStore(tmp);
    List<ShardAttempt> attempts = List.of(upload(store, "r", 0, "a", new byte[1]),
        upload(store, "r", 0, "b", new byte[1]), upload(store, "r", 1, "c", new byte[1]),
        upload(store, "other", 0, "x", new byte[1]));
    List<ShardAttempt> winners = WinnerSelector.winners(attempts.subList(0, 3));
    assertThat(SnapshotPublisher.deleteLosers(store, "r", winners)).isEqualTo(1);
    assertThat(store.list("shards/")).extracting(ObjectInfo::key).containsExactly(
        "shards/run_id=other/db=00000/attempt=x/000001.sst",
        "shards/run_id=r/db=00000/attempt=a/000001.sst",
        "shards/run_id=r/db=00001/attempt=c/000001.sst");
  }
}
