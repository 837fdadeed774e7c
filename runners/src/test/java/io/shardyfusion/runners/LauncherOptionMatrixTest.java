package io.shardyfusion.runners;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.records.SnapshotVerifier;
import io.shardyfusion.records.SnapshotVerifier.RoutedKey;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.ShardyLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code bin/shardy build} option family through the real launcher, on the classpath users
 * get (the runners bundle): each routing option (CEL on the key, CEL with columns and
 * boundaries, CEL key boundaries, categorical CEL, {@code --max-keys-per-shard}), each input
 * format (JSON Lines, CSV, Parquet, Avro), each runner (Direct, Flink embedded, Spark local) and
 * both shard formats, each at least once, in as few runs as that takes (one launcher JVM per
 * row of {@link #matrix}). Every snapshot is read back: the per-shard row counts the manifest
 * records must be what its own router gives for the input keys, and every key reads its value.
 */
@IntegrationTest
class LauncherOptionMatrixTest {
  private static final int ROWS = 300;
  private static final String[] REGIONS = {"eu", "us", "apac"};

  @TempDir Path tmp;

  /** How one run routes: the options and the routing context each input row carries. */
  enum Routing {
    CEL_KEY(3, "--cel-expr=key % 3", "--num-dbs=3"),
    CEL_COLUMNS_WITH_BOUNDARIES(3, "--cel-expr=tier", "--cel-columns=tier:int",
        "--boundaries=1,2"),
    CEL_KEY_BOUNDARIES(3, "--cel-expr=key", "--boundaries=100,200"),
    CATEGORICAL(3, "--cel-expr=region", "--cel-columns=region:string",
        "--routing-values=eu,us,apac"),
    // The same tokens inferred from the data (a first pass on the runner): sorted as Python
    // sorts them, so apac, eu, us.
    INFERRED_CATEGORICAL(3, "--cel-expr=region", "--cel-columns=region:string",
        "--infer-routing-values=true"),
    MAX_KEYS_PER_SHARD(3, "--max-keys-per-shard=120");

    final int numDbs;
    final List<String> options;

    Routing(int numDbs, String... options) {
      this.numDbs = numDbs;
      this.options = List.of(options);
    }

    Map<String, ?> context(long id) {
      return switch (this) {
        case CEL_COLUMNS_WITH_BOUNDARIES -> Map.of("tier", tier(id));
        case CATEGORICAL, INFERRED_CATEGORICAL -> Map.of("region", REGIONS[(int) (id % 3)]);
        default -> Map.of();
      };
    }
  }

  static Stream<Arguments> matrix() {
    return Stream.of(
        Arguments.of("DirectRunner", "jsonl", Routing.CEL_KEY, "rocksdb"),
        Arguments.of("FlinkRunner", "csv", Routing.CEL_COLUMNS_WITH_BOUNDARIES, "sqlite"),
        Arguments.of("SparkRunner", "parquet", Routing.CEL_KEY_BOUNDARIES, "rocksdb"),
        Arguments.of("DirectRunner", "avro", Routing.MAX_KEYS_PER_SHARD, "sqlite"),
        Arguments.of("DirectRunner", "csv", Routing.CATEGORICAL, "rocksdb"),
        Arguments.of("FlinkRunner", "jsonl", Routing.INFERRED_CATEGORICAL, "rocksdb"),
        Arguments.of("SparkRunner", "csv", Routing.INFERRED_CATEGORICAL, "sqlite"));
  }

  @ParameterizedTest(name = "{0} {1} {2} {3}")
  @MethodSource("matrix")
  void buildThroughTheLauncherRoutesEveryRowWhereItsRouterSays(String runner, String format,
      Routing routing, String shardFormat) throws Exception {
    Path input = writeInput(format);
    String out = tmp.resolve("out").toUri().toString();
    List<String> args = new ArrayList<>(List.of("build", "--input=" + input, "--key-field=id",
        "--value-field=v", "--shard-format=" + shardFormat, "--output=" + out,
        "--temp-dir=" + tmp.resolve("build"), "--runner=" + runner));
    args.addAll(routing.options);
    switch (runner) {
      case "FlinkRunner" -> args.addAll(List.of("--flinkMaster=[local]", "--parallelism=2"));
      case "SparkRunner" -> args.addAll(List.of("--sparkMaster=local[2]",
          "--preferGroupByKeyToHandleHugeValues=true", "--enableSparkMetricSinks=false"));
      default -> { }
    }

    ShardyLauncher.Run r = ShardyLauncher.run(tmp, args.toArray(String[]::new));

    assertThat(r.code()).as("%s\n%s", r.out(), r.err()).isZero();
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(out)
        .localRoot(tmp.resolve("reader")).build())) {
      Manifest m = reader.manifest();
      assertThat(m.numDbs()).isEqualTo(routing.numDbs);
      if (routing == Routing.INFERRED_CATEGORICAL) {
        assertThat(m.required().sharding().routingValues()).containsExactly("apac", "eu", "us");
      }
      assertThat(m.required().shardFormat()).isEqualTo(shardFormat);
      assertThat(m.totalRows()).isEqualTo(ROWS);
      List<RoutedKey> keys = new ArrayList<>();
      for (long id = 0; id < ROWS; id++) {
        keys.add(new RoutedKey(id, routing.context(id)));
      }
      assertThat(SnapshotVerifier.shardCountProblems(m, keys)).isEmpty();
      assertThat(m.shards()).as("every shard holds rows").allMatch(s -> s.rowCount() > 0);
      for (RoutedKey k : keys) {
        assertThat(reader.get(k.key(), k.routingContext())).as("key %s", k.key())
            .isEqualTo(value((Long) k.key()).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static long tier(long id) {
    return id % 3;
  }

  private static String value(long id) {
    return "v" + id;
  }

  /** ROWS records (id, v, tier, region) in the given format; returns the file. */
  private Path writeInput(String format) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path file = dir.resolve("rows." + format);
    Schema schema = SchemaBuilder.record("Row").fields().requiredLong("id").requiredString("v")
        .requiredLong("tier").requiredString("region").endRecord();
    switch (format) {
      case "jsonl", "csv" -> {
        StringBuilder sb = new StringBuilder(format.equals("csv") ? "id,v,tier,region\n" : "");
        for (long id = 0; id < ROWS; id++) {
          String region = REGIONS[(int) (id % 3)];
          sb.append(format.equals("csv")
              ? id + "," + value(id) + "," + tier(id) + "," + region + "\n"
              : "{\"id\": " + id + ", \"v\": \"" + value(id) + "\", \"tier\": " + tier(id)
                  + ", \"region\": \"" + region + "\"}\n");
        }
        Files.writeString(file, sb);
      }
      case "parquet" -> {
        try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
            new LocalOutputFile(file)).withSchema(schema).build()) {
          for (long id = 0; id < ROWS; id++) {
            w.write(record(schema, id));
          }
        }
      }
      case "avro" -> {
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(
            new GenericDatumWriter<GenericRecord>(schema))) {
          w.create(schema, file.toFile());
          for (long id = 0; id < ROWS; id++) {
            w.append(record(schema, id));
          }
        }
      }
      default -> throw new AssertionError(format);
    }
    return file;
  }

  private static GenericRecord record(Schema schema, long id) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("id", id);
    r.put("v", value(id));
    r.put("tier", tier(id));
    r.put("region", REGIONS[(int) (id % 3)]);
    return r;
  }
}
