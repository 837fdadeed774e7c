package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.postgres.PostgresConfig;
import io.shardyfusion.manifest.postgres.PostgresManifestStore;
import io.shardyfusion.manifest.store.ManifestEntry;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.ops.rollback.Rollback.Selector;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.PostgresServer;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesPostgres;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shards on the S3Proxy process, manifests and the pointer in the PostgreSQL server: the
 * in-process writer and ShardedWrite on the Direct runner publish there, a reader follows it,
 * and a rollback in PostgreSQL is what the reader serves after its next refresh.
 */
@UsesS3Proxy
@UsesPostgres
class PostgresManifestStoreEndToEndTest {
  @TempDir Path tmp;

  private static PostgresConfig pgConfig(PostgresServer pg, String dataset) {
    return PostgresConfig.builder().jdbcUrl(pg.jdbcUrl(pg.createDatabase("e2e")))
        .user(pg.user()).dataset(dataset).build();
  }

  private WriteConfig config(S3ProxyServer s3, String prefix, ManifestStoreFactory manifests,
      String runId) {
    return WriteConfig.builder().numDbs(4).s3Prefix(prefix).runId(runId)
        .credentialProvider(new StaticCredentialProvider(s3.accessKey(), s3.secretKey()))
        .s3ConnectionOptions(S3ConnectionOptions.builder().endpointUrl(s3.endpoint())
            .addressingStyle("path").region(s3.region()).build())
        .tempDir(tmp.resolve("build")).manifestStore(manifests).build();
  }

  private ReaderConfig.Builder reader(WriteConfig c, String dir) {
    return ReaderConfig.builder().s3Prefix(c.s3Prefix()).localRoot(tmp.resolve(dir))
        .credentialProvider(c.credentialProvider()).s3ConnectionOptions(c.s3ConnectionOptions())
        .manifestStore(c.manifestStoreFactory());
  }

  private static BuildResult write(WriteConfig c, long rows) {
    List<Long> keys = LongStream.range(0, rows).boxed().toList();
    return SnapshotWriter.writeSharded(keys, c, k -> k,
        k -> (c.runId() + ":" + k).getBytes(StandardCharsets.UTF_8),
        WriteOptions.defaults().withSortBufferBytes(1 << 20));
  }

  private static String str(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void inProcessRunsHistoryRollbackAndReaderRefreshThroughPostgres(S3ProxyServer s3,
      PostgresServer pg) {
    String prefix = "s3://" + s3.createUniqueBucket("pg-e2e") + "/users";
    PostgresConfig pgc = pgConfig(pg, "users");
    ManifestStoreFactory factory = PostgresManifestStore.factory(pgc);
    write(config(s3, prefix, factory, "r1"), 10);
    write(config(s3, prefix, factory, "r2"), 20);
    BuildResult r3 = write(config(s3, prefix, factory, "r3"), 30);

    WriteConfig any = config(s3, prefix, factory, "x");
    try (ObjectStore shards = ObjectStores.open(prefix, any.s3ConnectionOptions(),
        any.credentialProvider())) {
      assertThat(shards.getIfExists("_CURRENT")).as("the pointer lives in PostgreSQL").isEmpty();
      assertThat(shards.list("manifests/")).isEmpty();
      assertThat(shards.list("shards/")).isNotEmpty();
    }

    try (PostgresManifestStore store = new PostgresManifestStore(pgc);
        ShardedReader reader = ShardedReader.open(reader(any, "reader").build())) {
      assertThat(store.listManifests(10)).extracting(ManifestEntry::runId)
          .containsExactly("r3", "r2", "r1");
      assertThat(reader.snapshotInfo().manifestRef()).isEqualTo(r3.manifestRef())
          .startsWith("postgres:users/");
      assertThat(str(reader.get(25L))).isEqualTo("r3:25");

      Rollback.rollbackTo(store, Selector.offset(2));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(5L))).isEqualTo("r1:5");
      assertThat(reader.get(15L)).isNull();
    }
  }

  @Test
  void shardedWriteOnTheDirectRunnerPublishesToPostgres(S3ProxyServer s3, PostgresServer pg) {
    String prefix = "s3://" + s3.createUniqueBucket("pg-beam") + "/kv";
    PostgresConfig pgc = pgConfig(pg, "beam");
    WriteConfig c = config(s3, prefix, PostgresManifestStore.factory(pgc), "beam1");

    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner")
        .create());
    p.apply(Create.of(LongStream.range(0, 2_000).boxed().toList()))
        .apply(ShardedWrite.<Long>to(c).withKeyFn(k -> k)
            .withValueFn(k -> ("beam1:" + k).getBytes(StandardCharsets.UTF_8)));
    p.run().waitUntilFinish();

    try (PostgresManifestStore store = new PostgresManifestStore(pgc);
        ShardedReader reader = ShardedReader.open(reader(c, "beam-reader").build())) {
      assertThat(store.loadCurrent().orElseThrow().runId()).isEqualTo("beam1");
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(2_000);
      assertThat(str(reader.get(1_999L))).isEqualTo("beam1:1999");
    }
  }
}
