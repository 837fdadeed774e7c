package io.shardyfusion.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.hostile.HostileJsonManifests;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The value checks of the Python rows, container-neutral: what a PostgreSQL row set (or any
 * container) hands {@link PythonManifestRows#fromRows} is checked as strictly as a SQLite
 * manifest's cells (ids and counts unwrapped, JSON types, min/max keys, the shared
 * {@link ManifestChecks}).
 */
class PythonManifestRowsTest {
  private static final String SOURCE = "pg://host/db run_id=r1";
  private static final PythonManifestRows.Naming NAMING = new PythonManifestRows.Naming(
      "the test rows", "table t_builds", "table t_shards");
  private static PythonManifestRows.Rows rows() {
    // a RocksDB manifest: its files and backend travel in the extension
    return PythonManifestRows.toRows(HostileJsonManifests.valid(), Integer.MAX_VALUE);
  }

  private static PythonManifestRows.Rows withBuild(UnaryOperator<PythonManifestRows.Build> f) {
    PythonManifestRows.Rows r = rows();
    return new PythonManifestRows.Rows(f.apply(r.build()), r.shards());
  }

  private static PythonManifestRows.Rows withFirstShard(
      UnaryOperator<PythonManifestRows.Shard> f) {
    PythonManifestRows.Rows r = rows();
    List<PythonManifestRows.Shard> shards = new ArrayList<>(r.shards());
    shards.set(0, f.apply(shards.get(0)));
    return new PythonManifestRows.Rows(r.build(), shards);
  }

  private static PythonManifestRows.Build numDbs(PythonManifestRows.Build b, long n) {
    return new PythonManifestRows.Build(b.runId(), b.createdAt(), n, b.s3Prefix(), b.keyCol(),
        b.shardingJson(), b.dbPathTemplate(), b.shardPrefix(), b.formatVersion(),
        b.keyEncoding(), b.customJson());
  }

  private static PythonManifestRows.Build json(PythonManifestRows.Build b, String sharding,
      String custom) {
    return new PythonManifestRows.Build(b.runId(), b.createdAt(), b.numDbs(), b.s3Prefix(),
        b.keyCol(), sharding == null ? b.shardingJson() : sharding, b.dbPathTemplate(),
        b.shardPrefix(), b.formatVersion(), b.keyEncoding(),
        custom == null ? b.customJson() : custom);
  }

  private static PythonManifestRows.Shard shard(PythonManifestRows.Shard s, long dbId,
      String minKey, String writerInfo) {
    return new PythonManifestRows.Shard(dbId, s.dbUrl(), s.attempt(), s.rowCount(),
        s.dbBytes(), minKey, s.maxKeyJson(), s.checkpointId(), writerInfo);
  }

  static Stream<Arguments> hostileRows() {
    String files = "{\"shardyfusion_jvm\":{\"files\":{\"0\":[{\"name\":\"shard.db\","
        + "\"size\":%s}]}}}";
    return Stream.of(
        Arguments.of("num_dbs 2^32+4", withBuild(b -> numDbs(b, (1L << 32) + 4)),
            "num_dbs 4294967300 is outside 1..1048576"),
        Arguments.of("db_id 2^32", withFirstShard(s -> shard(s, 1L << 32, s.minKeyJson(),
            s.writerInfoJson())), "db_id=4294967296 is outside 0..3"),
        Arguments.of("db_id repeated", withFirstShard(s -> shard(s, 2, s.minKeyJson(),
            s.writerInfoJson())), "db_id=2 is listed twice"),
        Arguments.of("strategy a number", withBuild(b -> json(b,
            "{\"strategy\":42,\"hash_algorithm\":\"xxh3_64\"}", null)),
            "table t_builds.sharding.strategy is 42; expected a string"),
        Arguments.of("cel_columns a list", withBuild(b -> json(b, "{\"strategy\":\"cel\","
            + "\"cel_expr\":\"key\",\"cel_columns\":[\"a\"],\"hash_algorithm\":\"xxh3_64\"}",
            null)), "cel_columns is [a]; expected an object"),
        Arguments.of("file size a fraction", withBuild(b -> json(b, null,
            String.format(files, "8191.5"))), "without a name and an integer size"),
        Arguments.of("files a list", withBuild(b -> json(b, null,
            "{\"shardyfusion_jvm\":{\"files\":[1,2]}}")), "files is [1, 2]; expected an object"),
        Arguments.of("extension a string", withBuild(b -> json(b, null,
            "{\"shardyfusion_jvm\":\"x\"}")), "shardyfusion_jvm is x; expected an object"),
        Arguments.of("shard_format a path", withBuild(b -> json(b, null,
            "{\"shardyfusion_jvm\":{\"shard_format\":\"../rocksdb\"}}")), "is not a backend name"),
        Arguments.of("attempt a string", withBuild(b -> json(b, null,
            "{\"shardyfusion_jvm\":{\"attempts\":{\"0\":\"7\"}}}")), "expected an integer"),
        Arguments.of("min_key an object", withFirstShard(s -> shard(s, s.dbId(), "{\"a\":1}",
            s.writerInfoJson())), "min_key {\"a\":1} is not a key of encoding u64be"),
        Arguments.of("file name ..", withBuild(b -> json(b, null, "{\"shardyfusion_jvm\":"
            + "{\"files\":{\"0\":[{\"name\":\"..\",\"size\":8192}]}}}")), "invalid name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileRows")
  void rowsOfAnyContainerAreCheckedAsStrictlyAsSqliteCells(String name,
      PythonManifestRows.Rows rows, String expected) {
    assertThatThrownBy(() -> PythonManifestRows.fromRows(rows, NAMING, SOURCE))
        .isInstanceOf(ManifestParseException.class)
        .satisfies(t -> assertThat(((ShardyfusionException) t).retryable()).isFalse())
        .hasMessageContaining(SOURCE)
        .hasMessageContaining(expected);
  }

  @Test
  void rowsRoundTripAndOperatorInfoOfTheWrongTypeIsDropped() {
    assertThat(PythonManifestRows.fromRows(rows(), NAMING, SOURCE).shards())
        .extracting(ShardMeta::dbId, ShardMeta::minKey).containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, 3), org.assertj.core.groups.Tuple.tuple(2, 3));
    Manifest m = PythonManifestRows.fromRows(withFirstShard(s -> shard(s, s.dbId(),
        s.minKeyJson(), "{\"writer\":5,\"host\":[1],\"duration_ms\":1}")), NAMING, SOURCE);
    assertThat(m.shards().get(0).writerInfo().writer()).isNull();
    assertThat(m.shards().get(0).writerInfo().durationMs()).isEqualTo(1);
  }

  @Test
  void shardRowsAreCountedAgainstNumDbsBeforeTheyAreRead() {
    PythonManifestRows.Build b = rows().build();
    assertThatThrownBy(() -> PythonManifestRows.checkShardRowCount(b, 5, NAMING, SOURCE))
        .isInstanceOf(ManifestParseException.class)
        .hasMessageContaining("has 5 shard rows for num_dbs=4");
  }
}
