package io.shardyfusion.pipelines;

import io.shardyfusion.records.Record;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BuildSnapshot end to end on the DirectRunner: one test per format, sharding, bad input. */
@IntegrationTest
class BuildSnapshotTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  private Run build(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--runner=DirectRunner");
    all.add("--tempDir=" + tmp.resolve("build"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = BuildSnapshot.run(all.toArray(String[]::new), new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8));
    return new Run(exit, out.toString(UTF_8), err.toString(UTF_8));
  }

  private String store(String name) {
    return tmp.resolve(name).toUri().toString();
  }

  private ShardedReader reader(String prefix) {
    return ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix)
        .localRoot(tmp.resolve("reader-" + Math.abs(prefix.hashCode()))).build());
  }

  private Path write(String name, String... lines) throws IOException {
    Path p = tmp.resolve("in").resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, Arrays.asList(lines), UTF_8);
    return p;
  }

  private static String str(byte[] b) {
    return b == null ? null : new String(b, UTF_8);
  }

  // ---- one test per input format -------------------------------------------------------

  @Test
  void jsonlU64KeysWithAValueFieldPrintsThePublishedResult() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      lines.add("{\"id\": " + (i * 7) + ", \"name\": \"user " + i + "\", \"age\": " + i + "}");
    }
    lines.add(""); // blank lines are skipped
    Path in = write("users.jsonl", lines.toArray(String[]::new));
    String prefix = store("jsonl");
    Run run = build("--input=" + in, "--keyField=id", "--valueField=name", "--numDbs=4",
        "--output=" + prefix, "--runId=run-jsonl", "--customFields=owner=tests");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode result = run.json();
    assertThat(result.get("run_id").asText()).isEqualTo("run-jsonl");
    assertThat(result.get("rows_written").asLong()).isEqualTo(500);
    assertThat(result.get("num_dbs").asInt()).isEqualTo(4);
    assertThat(result.get("winners")).hasSize(4);
    assertThat(result.get("manifest_ref").asText()).startsWith(prefix.replaceAll("/$", ""))
        .contains("run_id=run-jsonl");
    long rows = 0;
    for (JsonNode w : result.get("winners")) {
      rows += w.get("row_count").asLong();
      assertThat(w.get("min_key").asLong()).isLessThanOrEqualTo(w.get("max_key").asLong());
      assertThat(w.get("db_bytes").asLong()).isPositive();
    }
    assertThat(rows).isEqualTo(500);

    try (ShardedReader reader = reader(prefix)) {
      assertThat(reader.snapshotInfo().runId()).isEqualTo("run-jsonl");
      assertThat(reader.manifest().custom()).containsEntry("owner", "tests");
      assertThat(reader.manifest().required().keyCol()).isEqualTo("id");
      for (int i = 0; i < 500; i++) {
        assertThat(str(reader.get((long) i * 7))).isEqualTo("user " + i);
      }
      assertThat(reader.get(1L)).isNull();
    }
  }

  @Test
  void csvUtf8KeysWithValueFieldsHandlesQuotedFields() throws IOException {
    Path in = write("people.csv",
        "email,name,city,note",
        "a@x.io,\"Lovelace, Ada\",London,plain",
        "b@x.io,\"Hopper \"\"Amazing\"\" Grace\",Arlington,\"two",
        "lines\"",
        "c@x.io,Turing,Wilmslow,");
    String prefix = store("csv");
    Run run = build("--input=" + in, "--keyField=email", "--keyEncoding=utf8",
        "--valueFields=name,note", "--numDbs=2", "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json().get("rows_written").asLong()).isEqualTo(3);
    try (ShardedReader reader = reader(prefix)) {
      assertThat(JSON.readTree(reader.get("a@x.io")))
          .isEqualTo(JSON.readTree("{\"name\":\"Lovelace, Ada\",\"note\":\"plain\"}"));
      assertThat(JSON.readTree(reader.get("b@x.io"))).isEqualTo(JSON.readTree(
          "{\"name\":\"Hopper \\\"Amazing\\\" Grace\",\"note\":\"two\\nlines\"}"));
      assertThat(JSON.readTree(reader.get("c@x.io")))
          .isEqualTo(JSON.readTree("{\"name\":\"Turing\",\"note\":\"\"}"));
    }
  }

  @Test
  void csvNumericKeysAreParsedForIntegerEncodingsAndTheWholeRowIsTheValue() throws IOException {
    Path in = write("ids.csv", "id,name", "10,ten", " 20 ,twenty", "4294967295,max u32");
    String prefix = store("csv-u32");
    Run run = build("--input=" + in, "--keyField=id", "--keyEncoding=u32be", "--numDbs=3",
        "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    try (ShardedReader reader = reader(prefix)) {
      assertThat(JSON.readTree(reader.get(10L)))
          .isEqualTo(JSON.readTree("{\"id\":\"10\",\"name\":\"ten\"}"));
      assertThat(JSON.readTree(reader.get(20L)).get("name").asText()).isEqualTo("twenty");
      assertThat(JSON.readTree(reader.get(4294967295L)).get("name").asText())
          .isEqualTo("max u32");
    }
  }

  @Test
  void parquetU64KeysWithTheWholeRecordAsJson() throws IOException {
    Schema schema = SchemaBuilder.record("User").fields()
        .requiredLong("id").requiredString("name").requiredDouble("score")
        .name("tags").type().array().items().stringType().noDefault()
        .optionalInt("age")
        .endRecord();
    Path file = tmp.resolve("in").resolve("users.parquet");
    Files.createDirectories(file.getParent());
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
        new LocalOutputFile(file)).withSchema(schema).build()) {
      for (int i = 0; i < 300; i++) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", (long) i);
        r.put("name", "n" + i);
        r.put("score", i / 2.0);
        r.put("tags", List.of("t" + i, "all"));
        r.put("age", i % 2 == 0 ? i : null);
        w.write(r);
      }
    }
    String prefix = store("parquet");
    Run run = build("--input=" + tmp.resolve("in") + "/*.parquet", "--keyField=id",
        "--numDbs=4", "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json().get("rows_written").asLong()).isEqualTo(300);
    try (ShardedReader reader = reader(prefix)) {
      assertThat(JSON.readTree(reader.get(7L))).isEqualTo(JSON.readTree(
          "{\"id\":7,\"name\":\"n7\",\"score\":3.5,\"tags\":[\"t7\",\"all\"],\"age\":null}"));
      assertThat(JSON.readTree(reader.get(8L)).get("age").asInt()).isEqualTo(8);
    }
  }

  @Test
  void avroUtf8KeysWithABytesValueFieldStoredAsIs() throws IOException {
    Schema schema = SchemaBuilder.record("Blob").fields()
        .requiredString("sku").requiredBytes("payload").requiredInt("n").endRecord();
    Path file = tmp.resolve("in").resolve("blobs.avro");
    Files.createDirectories(file.getParent());
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(
        new GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, file.toFile());
      for (int i = 0; i < 200; i++) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("sku", "sku-" + i);
        r.put("payload", ByteBuffer.wrap(new byte[] {(byte) i, 0, (byte) 0xFF}));
        r.put("n", i);
        w.append(r);
      }
    }
    String prefix = store("avro");
    Run run = build("--input=" + file, "--keyField=sku", "--keyEncoding=utf8",
        "--valueField=payload", "--numDbs=2", "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    try (ShardedReader reader = reader(prefix)) {
      assertThat(reader.get("sku-5")).containsExactly(5, 0, 0xFF);
      assertThat(reader.get("sku-199")).containsExactly((byte) 199, 0, (byte) 0xFF);
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(200);
    }
  }

  // ---- sharding options ------------------------------------------------------------------

  @Test
  void celExpressionWithBoundariesMakesRangeShards() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      lines.add("{\"id\": " + i + ", \"v\": " + i + "}");
    }
    Path in = write("range.jsonl", lines.toArray(String[]::new));
    String prefix = store("cel");
    Run run = build("--input=" + in, "--keyField=id", "--valueField=v", "--celExpr=key",
        "--boundaries=25,50,75", "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    try (ShardedReader reader = reader(prefix)) {
      assertThat(reader.snapshotInfo().numDbs()).isEqualTo(4);
      List<ShardMeta> shards = reader.manifest().shards();
      assertThat(shards).extracting(m -> ((Number) m.minKey()).longValue())
          .containsExactly(0L, 25L, 50L, 75L);
      assertThat(shards).extracting(m -> ((Number) m.maxKey()).longValue())
          .containsExactly(24L, 49L, 74L, 99L);
      assertThat(reader.manifest().required().sharding().boundaries().stream()
          .map(b -> ((Number) b).longValue())).containsExactly(25L, 50L, 75L);
      assertThat(str(reader.get(60L))).isEqualTo("60");
    }
  }

  @Test
  void celColumnsFromCsvTextAreConvertedToTheirDeclaredType() throws IOException {
    Path in = write("tiers.csv", "id,tier", "1,0", "2,2", "3,1", "4,2", "5,2");
    String prefix = store("cel-columns");
    Run run = build("--input=" + in, "--keyField=id", "--valueField=tier",
        "--celExpr=tier", "--celColumns=tier:int", "--boundaries=1,2", "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode winners = run.json().get("winners");
    assertThat(winners).hasSize(3);
    assertThat(winners.get(0).get("row_count").asLong()).isEqualTo(1); // tier 0
    assertThat(winners.get(1).get("row_count").asLong()).isEqualTo(1); // tier 1
    assertThat(winners.get(2).get("row_count").asLong()).isEqualTo(3); // tier 2
    assertThat(winners.get(2).get("min_key").asLong()).isEqualTo(2);
  }

  @Test
  void sqliteShardsAndCategoricalRoutingFromTheCommandLine() throws IOException {
    Path in = write("regions.csv", "id,region", "1,eu", "2,us", "3,eu", "4,apac", "5,us");
    String prefix = store("sqlite-regions");
    Run run = build("--input=" + in, "--keyField=id", "--valueField=region",
        "--celExpr=region", "--celColumns=region:string", "--routingValues=eu,us,apac",
        "--shardFormat=sqlite", "--sqlitePageSize=auto", "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    try (ShardedReader reader = reader(prefix)) {
      assertThat(reader.manifest().required().shardFormat()).isEqualTo("sqlite");
      assertThat(reader.manifest().required().formatVersion()).isEqualTo(4);
      assertThat(reader.manifest().required().sharding().routingValues())
          .containsExactly("eu", "us", "apac");
      assertThat(reader.manifest().shards()).extracting(ShardMeta::rowCount)
          .containsExactly(2L, 2L, 1L);
      assertThat(str(reader.get(4L, java.util.Map.of("region", "apac")))).isEqualTo("apac");
      assertThat(reader.get(4L, java.util.Map.of("region", "mars"))).isNull();
    }
    Run bad = build("--input=" + in, "--keyField=id", "--valueField=region",
        "--shardFormat=lmdb", "--numDbs=2", "--output=" + store("bad-format"));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--shardFormat 'lmdb' is not known; use rocksdb or sqlite");
  }

  @Test
  void maxKeysPerShardDerivesTheShardCount() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lines.add("{\"id\": " + i + "}");
    }
    Path in = write("many.jsonl", lines.toArray(String[]::new));
    String prefix = store("max-keys");
    Run run = build("--input=" + in, "--keyField=id", "--maxKeysPerShard=300",
        "--output=" + prefix);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json().get("num_dbs").asInt()).isEqualTo(4);
    try (ShardedReader reader = reader(prefix)) {
      assertThat(reader.snapshotInfo().numDbs()).isEqualTo(4);
      assertThat(str(reader.get(999L))).isEqualTo("{\"id\":999}");
    }
  }

  // ---- bad input: the job fails, names the record and field, and publishes nothing ------

  private static final byte[] SENTINEL = "{\"sentinel\":true}".getBytes(UTF_8);

  /** Runs a job that must fail and checks that a pre-existing _CURRENT is untouched. */
  private Run failing(int expectedExit, String name, Consumer<List<String>> args)
      throws IOException {
    Path out = tmp.resolve(name);
    Files.createDirectories(out);
    Files.write(out.resolve("_CURRENT"), SENTINEL);
    List<String> a = new ArrayList<>();
    a.add("--output=" + out.toUri());
    args.accept(a);
    Run run = build(a.toArray(String[]::new));
    assertThat(run.exit()).as(run.err()).isEqualTo(expectedExit);
    assertThat(run.out()).isEmpty();
    assertThat(Files.readAllBytes(out.resolve("_CURRENT"))).isEqualTo(SENTINEL);
    assertThat(out.resolve("manifests")).doesNotExist();
    return run;
  }

  @Test
  void missingKeyFieldNamesFileLineAndFix() throws IOException {
    Path in = write("missing.jsonl", "{\"id\": 1}", "{\"id\": 2}", "{\"uid\": 3}");
    Run run = failing(1, "bad-missing-key", a -> a.addAll(List.of("--input=" + in,
        "--keyField=id", "--numDbs=2")));
    assertThat(run.err()).contains(in + ":3").contains("key field 'id' is missing")
        .contains("[uid]").contains("--keyField");
  }

  @Test
  void nullKeyNamesFileAndLine() throws IOException {
    Path in = write("null.jsonl", "{\"id\": 1}", "{\"id\": null}");
    Run run = failing(1, "bad-null-key", a -> a.addAll(List.of("--input=" + in,
        "--keyField=id", "--numDbs=2")));
    assertThat(run.err()).contains(in + ":2").contains("key field 'id' is null");
  }

  @Test
  void emptyCsvKeyNamesFileAndLine() throws IOException {
    Path in = write("empty-key.csv", "id,name", "1,a", ",b");
    Run run = failing(1, "bad-empty-key", a -> a.addAll(List.of("--input=" + in,
        "--keyField=id", "--numDbs=2")));
    assertThat(run.err()).contains(in + ":3").contains("key field 'id' is empty");
  }

  @Test
  void keyOfTheWrongTypeForTheEncodingNamesTheFix() throws IOException {
    Path in = write("wrong-type.jsonl", "{\"id\": 1}", "{\"id\": \"abc\"}");
    Run run = failing(1, "bad-key-type", a -> a.addAll(List.of("--input=" + in,
        "--keyField=id", "--numDbs=2")));
    assertThat(run.err()).contains(in + ":2")
        .contains("key field 'id' must be an integer for --keyEncoding=u64be")
        .contains("string \"abc\"").contains("--keyEncoding=utf8");
  }

  @Test
  void keyOutOfRangeForU32beNamesTheRecord() throws IOException {
    Path in = write("big.csv", "id", "4294967296");
    Run run = failing(1, "bad-key-range", a -> a.addAll(List.of("--input=" + in,
        "--keyField=id", "--keyEncoding=u32be", "--numDbs=2")));
    assertThat(run.err()).contains(in + ":2").contains("out of range for u32be");
  }

  @Test
  void missingValueFieldNamesFileLineAndFix() throws IOException {
    Path in = write("no-value.jsonl", "{\"id\": 1, \"name\": \"a\"}", "{\"id\": 2}");
    Run run = failing(1, "bad-missing-value", a -> a.addAll(List.of("--input=" + in,
        "--keyField=id", "--valueField=name", "--numDbs=2")));
    assertThat(run.err()).contains(in + ":2").contains("value field 'name' is missing")
        .contains("--valueField");
  }

  @Test
  void nullValueFieldIsRejected() throws IOException {
    Path in = write("null-value.jsonl", "{\"id\": 1, \"name\": null}");
    Run run = failing(1, "bad-null-value", a -> a.addAll(List.of("--input=" + in,
        "--keyField=id", "--valueField=name", "--numDbs=2")));
    assertThat(run.err()).contains(in + ":1").contains("value field 'name' is null")
        .contains("--valueFields=name");
  }

  @Test
  void valueOfAnUnsupportedTypeNamesTheRecord() throws IOException {
    Schema schema = SchemaBuilder.record("M").fields().requiredLong("id")
        .requiredDouble("ratio").endRecord();
    Path file = tmp.resolve("in").resolve("nan.avro");
    Files.createDirectories(file.getParent());
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(
        new GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, file.toFile());
      GenericRecord r = new GenericData.Record(schema);
      r.put("id", 41L);
      r.put("ratio", Double.NaN);
      w.append(r);
    }
    Run run = failing(1, "bad-value-type", a -> a.addAll(List.of("--input=" + file,
        "--keyField=id", "--valueField=ratio", "--numDbs=2")));
    assertThat(run.err()).contains("avro record in " + file).contains("\"id\": 41")
        .contains("field 'ratio' is NaN").contains("JSON cannot hold");
  }

  @Test
  void duplicateKeysAcrossFilesFailThePublish() throws IOException {
    write("dup-a.jsonl", "{\"id\": 7, \"v\": 1}", "{\"id\": 8, \"v\": 1}");
    write("dup-b.jsonl", "{\"id\": 9, \"v\": 2}", "{\"id\": 7, \"v\": 2}");
    // One shard: the Direct runner returns the failure while other shard builds may still be
    // writing their (self-cleaning) build directories, which would race @TempDir's cleanup.
    Run run = failing(1, "bad-duplicates", a -> a.addAll(List.of(
        "--input=" + tmp.resolve("in") + "/dup-*.jsonl", "--keyField=id", "--numDbs=1")));
    assertThat(run.err()).contains("duplicate key 7").contains("deduplicate the input");
  }

  @Test
  void malformedOutputPrefixIsAUsageError() throws IOException {
    Path in = write("ok.jsonl", "{\"id\": 1}");
    Run run = build("--input=" + in, "--keyField=id", "--numDbs=2",
        "--output=ftp://host/snapshots");
    assertThat(run.exit()).isEqualTo(BuildSnapshot.EXIT_USAGE);
    assertThat(run.err()).contains("--output=ftp://host/snapshots");
  }

  @Test
  void unwritableOutputPrefixIsAUsageError() throws IOException {
    Path in = write("ok2.jsonl", "{\"id\": 1}");
    Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
    Run run = build("--input=" + in, "--keyField=id", "--numDbs=2",
        "--output=" + file.toUri() + "/snapshots");
    assertThat(run.exit()).isEqualTo(BuildSnapshot.EXIT_USAGE);
    assertThat(run.err()).contains("is not writable").contains("choose a directory");
  }

  @Test
  void inputPatternMatchingNoFilesIsAUsageError() throws IOException {
    Run run = failing(2, "bad-no-files", a -> a.addAll(List.of(
        "--input=" + tmp.resolve("nowhere") + "/*.jsonl", "--keyField=id", "--numDbs=2")));
    assertThat(run.err()).contains("matches no files").contains("nowhere");
  }

  @Test
  void unknownExtensionNeedsAnInputFormat() throws IOException {
    Path in = write("data.txt", "{\"id\": 1}");
    Run run = build("--input=" + in, "--keyField=id", "--numDbs=2",
        "--output=" + store("txt"));
    assertThat(run.exit()).isEqualTo(BuildSnapshot.EXIT_USAGE);
    assertThat(run.err()).contains("cannot tell the input format").contains("--inputFormat");

    Run explicit = build("--input=" + in, "--inputFormat=jsonl", "--keyField=id", "--numDbs=2",
        "--output=" + store("txt"));
    assertThat(explicit.exit()).as(explicit.err()).isZero();
  }

  @Test
  void missingRequiredOptionsAreUsageErrors() {
    Run run = build("--keyField=id", "--numDbs=2", "--output=" + store("no-input"));
    assertThat(run.exit()).isEqualTo(BuildSnapshot.EXIT_USAGE);
    assertThat(run.err()).contains("--input");
  }

  @Test
  void writeLimitsReachTheWriteAndNegativeOnesAreUsageErrors() throws IOException {
    Path in = write("limits.jsonl", "{\"id\": 1}");
    org.apache.beam.sdk.options.PipelineOptionsFactory.register(BuildSnapshotOptions.class);
    BuildSnapshot.Plan plan = BuildSnapshot.plan(org.apache.beam.sdk.options.PipelineOptionsFactory
        .fromArgs("--input=" + in, "--keyField=id", "--numDbs=2", "--output=" + store("lim"),
            "--maxWritesPerSecond=1000", "--maxWriteBytesPerSecond=65536")
        .as(BuildSnapshotOptions.class), null);
    assertThat(plan.maxWritesPerSecond()).isEqualTo(1000);
    assertThat(plan.maxWriteBytesPerSecond()).isEqualTo(65536);

    Run run = build("--input=" + in, "--keyField=id", "--numDbs=2", "--output=" + store("neg"),
        "--maxWritesPerSecond=-3");
    assertThat(run.exit()).isEqualTo(BuildSnapshot.EXIT_USAGE);
    assertThat(run.err()).contains("--maxWritesPerSecond must be >= 0 (0 = unlimited), got -3");
  }
}
