package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountingObjectStoreTest {
  @TempDir Path tmp;

  @Test
  void countsEveryRequestAndItsBytes() throws Exception {
    CountingObjectStore.Counts counts = new CountingObjectStore.Counts();
    CountingObjectStore store = new CountingObjectStore(new LocalObjectStore(tmp.resolve("s")),
        counts);
    store.put("a/1", new byte[10], "x");
    Path f = Files.write(tmp.resolve("f"), new byte[25]);
    store.putFile("a/2", f);
    store.get("a/1");
    store.getIfExists("missing");
    store.download("a/2", tmp.resolve("copy"));
    store.list("a/");
    store.deleteAll(List.of("a/1", "a/2"));
    assertThat(counts.snapshot()).isEqualTo(new CountingObjectStore.Snapshot(2, 35, 3, 35, 1, 2));
  }

  @Test
  void aWriteUnderInstrumentationCountsOnePutPerShardFilePlusTheFourDocuments() throws Exception {
    CountingObjectStore.Counts counts = new CountingObjectStore.Counts();
    BuildResult r;
    try (AutoCloseable on = ObjectStores.instrument(s -> new CountingObjectStore(s, counts))) {
      r = SnapshotWriter.writeSharded(LongStream.range(0, 500).boxed().toList(),
          WriteConfig.builder().numDbs(4).s3Prefix(tmp.resolve("w").toUri().toString())
              .tempDir(tmp.resolve("b")).build(), k -> k, k -> new byte[] {1});
    }
    long files = r.winners().stream().mapToLong(s -> s.files().size()).sum();
    long fileBytes = r.winners().stream().mapToLong(ShardMeta::dbBytes).sum();
    CountingObjectStore.Snapshot c = counts.snapshot();
    // shard files, manifest, _CURRENT, and the run record twice (RUNNING, then PUBLISHED)
    assertThat(c.puts()).isEqualTo(files + 4);
    assertThat(c.putBytes()).isGreaterThan(fileBytes);
    assertThat(c.deletes()).isZero();

    CountingObjectStore.Snapshot before = counts.snapshot();
    SnapshotWriter.writeSharded(List.of(1L), WriteConfig.builder().numDbs(1)
        .s3Prefix(tmp.resolve("after").toUri().toString()).tempDir(tmp.resolve("b")).build(),
        k -> k, k -> new byte[] {1});
    assertThat(counts.snapshot()).as("instrumentation ends when its handle closes")
        .isEqualTo(before);
  }
}
