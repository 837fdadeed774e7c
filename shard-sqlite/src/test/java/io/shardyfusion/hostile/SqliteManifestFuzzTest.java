package io.shardyfusion.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestChecks;
import io.shardyfusion.manifest.ManifestFormats;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Fuzz properties (jqwik) over the SQLite manifest decoder: mutated database bytes (pages
 * flipped, cut, duplicated) and mutated cells (a random column of build_meta or shards set to
 * an edge value of any storage class). Any input decodes to a manifest that passes the shared
 * checks or is refused with a ShardyfusionException; anything else fails the property with the
 * seed that reproduces it.
 */
class SqliteManifestFuzzTest {
  private static final byte[] VALID = HostileSqliteManifests.validBytes();
  private static final String SOURCE = "fuzz://manifest";
  private static final String[] BUILD_META = {"run_id", "created_at", "num_dbs", "s3_prefix",
      "key_col", "sharding", "db_path_template", "shard_prefix", "format_version",
      "key_encoding", "custom"};
  private static final String[] SHARDS = {"db_id", "db_url", "attempt", "row_count",
      "db_bytes", "min_key", "max_key", "checkpoint_id", "writer_info"};
  private static final String[] VALUES = {"NULL", "0", "-1", "1", "4", "2147483647",
      "4294967297", "9223372036854775807", "-9223372036854775808", "0.5", "1e308", "''",
      "'x'", "x'00ff'", "'../../x'", "'{}'", "'[]'", "'{\"a\":1}'", "'null'",
      "'s3://other/x'", "'" + "y".repeat(3000) + "'", "'{\"strategy\":\"cel\"}'",
      "'{\"cel_expr\":\"key\",\"hash_algorithm\":\"xxh3_64\",\"strategy\":\"cel\","
          + "\"routing_values\":[1,1,2,3]}'",
      "'{\"shardyfusion_jvm\":{\"files\":{\"0\":[{\"name\":\"..\",\"size\":1}]}}}'"};

  private static void decodesOrRefuses(byte[] input) {
    Manifest m = ParserFuzzTest.parsesOrRefuses(() -> ManifestFormats.decode(input, SOURCE));
    if (m != null) {
      ManifestChecks.validate(m, SOURCE);
      assertThat(m.shards().size()).isLessThanOrEqualTo(m.numDbs());
    }
  }

  @Property
  void manifestBytes(@ForAll long seed) {
    decodesOrRefuses(Mutations.bytes(VALID, new Random(seed)));
  }

  @Property
  void manifestCells(@ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder sql = new StringBuilder();
    for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
      boolean meta = r.nextBoolean();
      String[] cols = meta ? BUILD_META : SHARDS;
      sql.append("UPDATE ").append(meta ? "build_meta" : "shards").append(" SET ")
          .append(cols[r.nextInt(cols.length)]).append(" = ")
          .append(VALUES[r.nextInt(VALUES.length)]).append(";");
    }
    byte[] input;
    try {
      input = HostileSqliteManifests.mutate(sql.toString());
    } catch (IllegalStateException constraint) {
      return; // SQLite refused the edit itself (NOT NULL, primary key): no input to try
    }
    decodesOrRefuses(input);
  }
}
