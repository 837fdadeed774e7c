package io.shardyfusion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.records.SnapshotVerifier;
import io.shardyfusion.records.SnapshotVerifier.RoutedKey;
import io.shardyfusion.testing.EngineJvm;
import io.shardyfusion.testing.FlinkSessionCluster;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.JobInputs;
import io.shardyfusion.testing.SparkStandaloneCluster;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jars as users submit them, to real clusters started from the engines' own jars only
 * (so every class of the job comes from its shaded jar): 1M rows into 8 shards with each
 * engine's own submit entry point, the snapshot read back and every shard's row count checked
 * against the router the manifest describes.
 *
 * <ul>
 *   <li>Flink: {@code flink run -c BuildSnapshot job.jar --runner=FlinkRunner} (CliFrontend)
 *       against a session cluster (JobManager + TaskManager), hash routing.
 *   <li>Spark: {@code spark-submit --class BuildSnapshot job.jar --runner=SparkRunner}
 *       (SparkSubmit, client mode) against a standalone master + worker whose jars/ holds the
 *       versions a Spark distribution ships (ANTLR 4.9.3, an old Guava) ahead of the
 *       application jar; CEL routing, so cel-java's parser must find its relocated ANTLR and
 *       Guava on the driver and the executors.
 * </ul>
 */
@IntegrationTest
class JobJarClusterTest {
  private static final long ROWS = 1_000_000;
  private static final String MAIN = "io.shardyfusion.pipelines.BuildSnapshot";
  private static final Duration SUBMIT_DEADLINE = Duration.ofMinutes(6);

  @TempDir Path tmp;

  @Test
  void flinkRunOfTheJobJarOnASessionClusterPublishesEveryRowToItsShard() throws Exception {
    String out = tmp.resolve("snapshot").toUri().toString();
    List<String> args = jobArgs("FlinkRunner", out);
    EngineJvm.Run run;
    try (FlinkSessionCluster flink = FlinkSessionCluster.start()) {
      run = EngineJvm.run("flink-run", flink.submitCommand(EngineJvm.jobJar("flink"), MAIN,
          args), flink.submitEnvironment(), flink.logFile().getParent(), SUBMIT_DEADLINE);
      assertThat(run.code()).as("flink run: %s\n%s", run.out(), run.err()).isZero();
      assertThat(flink.jobsOverview()).contains("\"state\":\"FINISHED\"");
    }
    checkSnapshot(run, out, "flink-session");
  }

  @Test
  void sparkSubmitOfTheJobJarToAStandaloneClusterPublishesEveryRowToItsShard()
      throws Exception {
    String out = tmp.resolve("snapshot").toUri().toString();
    List<String> args = jobArgs("SparkRunner", out);
    EngineJvm.Run run;
    try (SparkStandaloneCluster spark = SparkStandaloneCluster.start()) {
      args.addAll(List.of("--sparkMaster=" + spark.masterUrl(),
          "--preferGroupByKeyToHandleHugeValues=true", "--enableSparkMetricSinks=false",
          "--celExpr=key % 8"));
      run = EngineJvm.run("spark-submit", spark.submitCommand(EngineJvm.jobJar("spark"), MAIN,
          args), spark.environment(), spark.logFile().getParent(), SUBMIT_DEADLINE);
      assertThat(run.code()).as("spark-submit: %s\n%s", run.out(), run.err()).isZero();
      assertThat(spark.status().replace(" ", "")).contains("\"completedapps\":[{");
    }
    checkSnapshot(run, out, "spark-standalone");
  }

  /**
   * The Spark jar on Parquet input, through {@code spark-submit --master local[2]} with Spark's
   * jars ahead of it (the cluster's order): Avro and Parquet are relocated in the jar, and this
   * is where their relocated classes run (the cluster test reads CSV).
   */
  @Test
  void sparkSubmitOfTheJobJarInLocalModeReadsParquet() throws Exception {
    Schema schema = SchemaBuilder.record("Row").fields().requiredLong("id").requiredString("v")
        .endRecord();
    Path file = Files.createDirectories(tmp.resolve("parquet")).resolve("rows.parquet");
    long rows = 1000;
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
        new LocalOutputFile(file)).withSchema(schema).build()) {
      for (long id = 0; id < rows; id++) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("v", JobInputs.value(id));
        w.write(r);
      }
    }
    String out = tmp.resolve("snapshot").toUri().toString();
    String sparkJars = String.join(File.pathSeparator, EngineJvm.clusterClasspath("spark"));
    EngineJvm.Run run = EngineJvm.run("spark-submit-local", EngineJvm.javaCommand(
        List.of("-Xmx1g"), sparkJars, "org.apache.spark.deploy.SparkSubmit", List.of(
            "--master", "local[2]", "--class", MAIN, "--conf", "spark.ui.enabled=false",
            EngineJvm.jobJar("spark").toString(), "--runner=SparkRunner",
            "--sparkMaster=local[2]", "--preferGroupByKeyToHandleHugeValues=true",
            "--enableSparkMetricSinks=false", "--input=" + file, "--keyField=id",
            "--valueField=v", "--numDbs=4", "--shardFormat=sqlite", "--output=" + out,
            "--tempDir=" + tmp.resolve("build"))),
        Map.of("SPARK_LOCAL_IP", "127.0.0.1"), tmp.resolve("logs"), SUBMIT_DEADLINE);
    assertThat(run.code()).as("spark-submit: %s\n%s", run.out(), run.err()).isZero();
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(out)
        .localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.manifest().required().shardFormat()).isEqualTo("sqlite");
      assertThat(SnapshotVerifier.shardCountProblems(reader.manifest(),
          LongStream.range(0, rows).mapToObj(RoutedKey::new)::iterator)).isEmpty();
      assertThat(new String(reader.get(rows - 1), StandardCharsets.UTF_8))
          .isEqualTo(JobInputs.value(rows - 1));
    }
  }

  /** The build's options: ROWS generated rows in two CSV files, 8 shards, out to {@code out}. */
  private List<String> jobArgs(String runner, String out) throws Exception {
    String input = JobInputs.writeCsv(tmp.resolve("input"), ROWS, 2);
    return new ArrayList<>(List.of("--runner=" + runner, "--input=" + input, "--keyField=id",
        "--valueField=v", "--numDbs=8", "--output=" + out, "--tempDir=" + tmp.resolve("build")));
  }

  private void checkSnapshot(EngineJvm.Run run, String out, String cluster) throws Exception {
    // The job's own read-back of what it published (BuildSnapshot prints it as JSON).
    assertThat(run.out()).contains("\"num_dbs\" : 8").contains("\"rows_written\" : " + ROWS);
    System.out.printf("CLUSTER %s rows=%d wall_ms=%d (submit to exit)%n", cluster, ROWS,
        run.wall().toMillis());
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder().s3Prefix(out)
        .localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.snapshotInfo().totalRows()).isEqualTo(ROWS);
      assertThat(SnapshotVerifier.shardCountProblems(reader.manifest(),
          LongStream.range(0, ROWS).mapToObj(RoutedKey::new)::iterator)).isEmpty();
      for (long id : new long[] {0, 1, 499_999, ROWS - 1}) {
        assertThat(new String(reader.get(id), StandardCharsets.UTF_8))
            .isEqualTo(JobInputs.value(id));
      }
      assertThat(reader.get(ROWS)).isNull();
    }
  }
}
