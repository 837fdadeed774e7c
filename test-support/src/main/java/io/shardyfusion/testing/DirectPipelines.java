package io.shardyfusion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;

/**
 * Beam pipelines on the Direct runner for JUnit 5 tests: what Beam's {@code TestPipeline} (a
 * JUnit 4 rule) gave them, without JUnit 4.
 *
 * <pre>{@code
 * @IntegrationTest
 * class MyTransformTest {
 *   final Pipeline p = DirectPipelines.create();   // a fresh pipeline for each test
 *
 *   @Test
 *   void writes() {
 *     PAssert.thatSingleton(p.apply(...)).satisfies(r -> { assertThat(...); return null; });
 *     DirectPipelines.run(p);                      // fails unless every PAssert passed
 *   }
 * }
 * }</pre>
 *
 * <p>A class that runs a pipeline is an integration test (tag it {@link IntegrationTest}): the
 * unit loop's classpath has no Beam runner. This class needs Beam's SDK, which the modules that
 * use it bring (test-support declares it {@code provided}).
 */
public final class DirectPipelines {
  private DirectPipelines() {}

  /**
   * A new pipeline on the Direct runner, with unstable transform names an error (as
   * {@code TestPipeline}); {@code args} are more pipeline options ({@code --name=value}).
   */
  public static Pipeline create(String... args) {
    List<String> all = new ArrayList<>(List.of("--runner=DirectRunner",
        "--stableUniqueNames=ERROR"));
    all.addAll(List.of(args));
    PipelineOptions options = PipelineOptionsFactory.fromArgs(all.toArray(String[]::new))
        .create();
    return Pipeline.create(options);
  }

  /**
   * Runs {@code p} to the end and checks that each of its {@link PAssert}s ran and passed (a
   * failing one already fails the run: the Direct runner rethrows it).
   *
   * @throws org.apache.beam.sdk.Pipeline.PipelineExecutionException if the pipeline fails
   * @throws AssertionError if fewer assertions succeeded than the pipeline has
   */
  public static PipelineResult run(Pipeline p) {
    int asserts = PAssert.countAsserts(p);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    long succeeded = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build())
        .getCounters()) {
      succeeded += c.getAttempted();
    }
    if (succeeded != asserts) {
      throw new AssertionError("the pipeline has " + asserts + " PAssert(s) but " + succeeded
          + " succeeded");
    }
    return result;
  }

  /**
   * Deletes a test's temp directory once nothing writes to it any more. When a pipeline fails,
   * the Direct runner throws at once while its other tasks may still be writing (e.g. a shard
   * being built) in directories the pipeline was given, so JUnit's {@code @TempDir}, which
   * deletes once and fails the test if it cannot, does not fit such tests. This retries for up to
   * 30 s; a directory still not deletable then is an error.
   */
  public static void deleteWhenDone(Path dir) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        deleteTree(dir);
        return;
      } catch (IOException | UncheckedIOException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("cannot delete " + dir + " within 30 s: " + e, e);
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while deleting " + dir, e);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
