package io.shardyfusion.reader;

import static io.shardyfusion.reader.TestSnapshots.keys;
import static io.shardyfusion.reader.TestSnapshots.str;
import static io.shardyfusion.reader.TestSnapshots.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.backend.sqlite.PageSize;
import io.shardyfusion.backend.sqlite.SqliteBackend;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Snapshots with SQLite shards, written in-process and read back, on file:// and S3Proxy. */
@UsesS3Proxy
class SqliteRoundTripTest {
  private static final int ROWS = 5_000;
  @TempDir Path tmp;

  @ParameterizedTest(name = "store = {0}, parallel = {1}")
  @CsvSource({"file, false", "file, true", "s3, false"})
  void everyKeyReadsBackAndEachShardIsOneObject(String kind, boolean parallel, S3ProxyServer s3)
      throws Exception {
    WriteConfig base = kind.equals("s3")
        ? TestSnapshots.s3Config(s3, "s3://" + s3.createUniqueBucket("sqlite") + "/p",
            tmp.resolve("build"))
        : TestSnapshots.fileConfig(tmp.resolve("store"), tmp.resolve("build"));
    WriteConfig config = base.toBuilder().shardBackend(SqliteBackend.of(PageSize.auto()))
        .build();
    BuildResult run = TestSnapshots.write(config, keys(0, ROWS), "sq",
        WriteOptions.defaults().withParallel(parallel));

    try (ShardedReader reader = ShardedReader.open(
        TestSnapshots.readerFor(config, tmp.resolve("reader")).build());
        ObjectStore store = ObjectStores.open(config.s3Prefix(), config.s3ConnectionOptions(),
            config.credentialProvider())) {
      assertThat(reader.manifest().required().shardFormat()).isEqualTo("sqlite");
      for (long k = 0; k < ROWS; k++) {
        assertThat(str(reader.get(k))).isEqualTo(value("sq", k));
      }
      assertThat(reader.get((long) ROWS)).isNull();
      List<Long> some = List.of(1L, 4_999L, 77_777L, 42L);
      assertThat(reader.multiGetList(some)).extracting(TestSnapshots::str)
          .containsExactly(value("sq", 1), value("sq", 4_999), null, value("sq", 42));

      List<String> shardObjects = new ArrayList<>();
      for (ObjectInfo o : store.list("shards/")) {
        shardObjects.add(o.key());
      }
      assertThat(shardObjects).hasSize(run.winners().size())
          .allMatch(k -> k.endsWith("/shard.db"));
      for (ShardMeta s : run.winners()) {
        assertThat(s.files()).singleElement()
            .satisfies(f -> assertThat(f.name()).isEqualTo("shard.db"));
        // The local copy is a plain SQLite file any SQLite opens.
        Path local = reader.shardDetails().get(s.dbId()).localPath().resolve("shard.db");
        try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + local, new java.util.Properties());
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT count(*) FROM kv")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong(1)).isEqualTo(s.rowCount());
        }
      }
    }
  }
}
