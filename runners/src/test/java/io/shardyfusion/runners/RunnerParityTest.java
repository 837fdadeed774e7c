package io.shardyfusion.runners;

import io.shardyfusion.bench.BenchData;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardRouter;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.runners.TestRunners.Kind;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import io.shardyfusion.transforms.ShardedWrite;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.backend.ShardBackend;
import io.shardyfusion.backend.rocksdb.RocksDbBackend;
import io.shardyfusion.backend.sqlite.PageSize;
import io.shardyfusion.backend.sqlite.SqliteBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input written by ShardedWrite on Direct, Flink (embedded, parallelism 2) and Spark
 * (local[2]) and by the in-process SnapshotWriter yields the same shards, and each reads back
 * fully.
 */
@UsesS3Proxy
class RunnerParityTest {
  private static final int ROWS = 20_000;
  private static final int STRING_ROWS = 5_000;

  @TempDir Path tmp;

  static Long u64Key(Long i) {
    return BenchData.key(i);
  }

  static byte[] u64Value(Long i) {
    return BenchData.value(BenchData.key(i), 24);
  }

  static String stringKey(Long i) {
    return "user-" + i;
  }

  static byte[] stringValue(Long i) {
    return ("name of user " + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void u64KeysLandInTheSameShardsOnEveryRunner() throws Exception {
    checkParity(KeyEncoding.U64BE, 16, ROWS, RunnerParityTest::u64Key,
        RunnerParityTest::u64Value, RocksDbBackend.defaults());
  }

  /** With SQLite shards (the Python system's), so that backend is proven on every runner. */
  @Test
  void stringKeysLandInTheSameShardsOnEveryRunner() throws Exception {
    checkParity(KeyEncoding.UTF8, 7, STRING_ROWS, RunnerParityTest::stringKey,
        RunnerParityTest::stringValue, SqliteBackend.of(PageSize.auto()));
  }

  @Test
  void sparkWritesToRealS3(S3ProxyServer s3) throws Exception {
    String bucket = s3.createUniqueBucket("runners");
    S3ConnectionOptions conn = S3ConnectionOptions.builder().endpointUrl(s3.endpoint())
        .addressingStyle("path").region(s3.region()).build();
    StaticCredentialProvider creds = new StaticCredentialProvider(s3.accessKey(), s3.secretKey());
    WriteConfig config = WriteConfig.builder().numDbs(8)
        .s3Prefix("s3://" + bucket + "/snapshots/spark").s3ConnectionOptions(conn)
        .credentialProvider(creds).tempDir(tmp.resolve("build")).build();

    Pipeline p = TestRunners.pipeline(Kind.SPARK);
    // Through the shuffle, as on a cluster (local[2] would pass the runs as files).
    p.apply(GenerateSequence.from(0).to(ROWS)).apply(ShardedWrite.<Long>to(config)
        .withKeyFn(RunnerParityTest::u64Key).withValueFn(RunnerParityTest::u64Value)
        .withRunsThroughShuffle());
    TestRunners.runToDone(p);

    Manifest m = TestRunners.currentManifest(config);
    assertThat(m.totalRows()).isEqualTo(ROWS);
    assertThat(m.shards()).allSatisfy(s -> assertThat(s.dbUrl())
        .startsWith("s3://" + bucket + "/snapshots/spark/shards/"));
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config.s3Prefix()).s3ConnectionOptions(conn).credentialProvider(creds)
        .localRoot(tmp.resolve("reader-s3")).build())) {
      for (long i = 0; i < ROWS; i++) {
        assertThat(reader.get(u64Key(i))).isEqualTo(u64Value(i));
      }
    }
  }

  private void checkParity(KeyEncoding encoding, int numDbs, int rows,
      SerializableFunction<Long, Object> keyFn, SerializableFunction<Long, byte[]> valueFn,
      ShardBackend backend) throws Exception {
    Map<String, WriteConfig> configs = new LinkedHashMap<>();
    // Flink and Spark twice: runs as files (their embedded default) and through the shuffle.
    for (String writer : List.of("in-process", "direct", "flink", "spark", "flink-shuffle",
        "spark-shuffle")) {
      configs.put(writer, WriteConfig.builder().numDbs(numDbs).keyEncoding(encoding)
          .shardBackend(backend).s3Prefix(tmp.resolve("store-" + writer).toUri().toString())
          .tempDir(tmp.resolve("build-" + writer)).build());
    }
    List<Long> seq = LongStream.range(0, rows).boxed().toList();
    SnapshotWriter.writeSharded(seq, configs.get("in-process"), keyFn::apply, valueFn::apply);
    for (String writer : configs.keySet()) {
      if (writer.equals("in-process")) {
        continue;
      }
      boolean shuffle = writer.endsWith("-shuffle");
      Kind kind = Kind.valueOf(writer.replace("-shuffle", "").toUpperCase(java.util.Locale.ROOT));
      ShardedWrite<Long> write = ShardedWrite.<Long>to(configs.get(writer)).withKeyFn(keyFn)
          .withValueFn(valueFn);
      Pipeline p = TestRunners.pipeline(kind);
      p.apply(GenerateSequence.from(0).to(rows))
          .apply(shuffle ? write.withRunsThroughShuffle() : write);
      TestRunners.runToDone(p);
    }

    // What routing says every shard must hold: count, smallest and largest stored key.
    ShardRouter router = ShardRouters.create(configs.get("direct").sharding(), numDbs, encoding);
    TreeMap<Integer, List<Object>> expected = new TreeMap<>();
    Map<Integer, byte[][]> minMax = new TreeMap<>();
    for (long i = 0; i < rows; i++) {
      Object key = encoding.normalize(keyFn.apply(i));
      int db = router.route(key);
      byte[] k = encoding.encodeNormalized(key);
      byte[][] mm = minMax.computeIfAbsent(db, d -> new byte[][] {k, k});
      if (Arrays.compareUnsigned(k, mm[0]) < 0) {
        mm[0] = k;
      }
      if (Arrays.compareUnsigned(k, mm[1]) > 0) {
        mm[1] = k;
      }
      expected.computeIfAbsent(db, d -> new ArrayList<>(List.of(0L, "", "")));
      expected.get(db).set(0, (Long) expected.get(db).get(0) + 1);
    }
    minMax.forEach((db, mm) -> {
      expected.get(db).set(1, String.valueOf(encoding.toJsonValue(mm[0])));
      expected.get(db).set(2, String.valueOf(encoding.toJsonValue(mm[1])));
    });
    assertThat(expected).hasSizeGreaterThan(numDbs / 2);

    for (Map.Entry<String, WriteConfig> e : configs.entrySet()) {
      Manifest m = TestRunners.currentManifest(e.getValue());
      assertThat(m.numDbs()).as(e.getKey()).isEqualTo(numDbs);
      assertThat(m.required().keyEncoding()).as(e.getKey()).isEqualTo(encoding.wireName());
      assertThat(m.required().shardFormat()).as(e.getKey()).isEqualTo(backend.name());
      assertThat(summary(m)).as("shards written by %s", e.getKey()).isEqualTo(expected);
      try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
          .s3Prefix(e.getValue().s3Prefix()).localRoot(tmp.resolve("reader-" + e.getKey()))
          .build())) {
        for (long i = 0; i < rows; i++) {
          Object key = keyFn.apply(i);
          assertThat(reader.get(key)).as("%s key %s", e.getKey(), key)
              .isEqualTo(valueFn.apply(i));
        }
        assertThat(reader.get(encoding == KeyEncoding.UTF8 ? (Object) "absent" : -1L >>> 1))
            .isNull();
      }
    }
  }

  /** db id → [row_count, min_key, max_key] as the manifest states them. */
  static TreeMap<Integer, List<Object>> summary(Manifest m) {
    TreeMap<Integer, List<Object>> out = new TreeMap<>();
    for (ShardMeta s : m.shards()) {
      assertThat(out.put(s.dbId(), List.of(s.rowCount(), String.valueOf(s.minKey()),
          String.valueOf(s.maxKey())))).as("db %d listed twice", s.dbId()).isNull();
    }
    return out;
  }
}
