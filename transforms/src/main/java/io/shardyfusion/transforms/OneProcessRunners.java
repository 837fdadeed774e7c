package io.shardyfusion.transforms;

import java.lang.reflect.Method;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Whether a pipeline's workers all run in this one process, so that they share its file system
 * and {@link ShardedWrite} can pass sorted runs as files instead of through the shuffle: the
 * Direct runner, Flink with {@code --flinkMaster=[local]} (a mini-cluster in this JVM) and Spark
 * with a {@code local} / {@code local[N]} master (the {@code spark.master} that spark-submit
 * sets wins over {@code --sparkMaster}, as in Beam's SparkContextFactory).
 *
 * <p>Anything else is treated as distributed: a cluster address, Flink's {@code [auto]} (which
 * {@code flink run} resolves to the cluster it submits to), Spark's {@code local-cluster}, a
 * Spark context the user provides, unknown runners. The shuffle path is always correct; the
 * file path only where the files are visible to every worker.
 *
 * <p>Read by reflection: this module does not depend on any runner.
 */
final class OneProcessRunners {
  static final String DIRECT = "org.apache.beam.runners.direct.DirectRunner";
  static final String FLINK = "org.apache.beam.runners.flink.FlinkRunner";
  static final String SPARK = "org.apache.beam.runners.spark.SparkRunner";
  private static final String SPARK_OPTIONS = "org.apache.beam.runners.spark.SparkPipelineOptions";

  private OneProcessRunners() {}

  /** True when every worker of the pipeline {@code options} describe runs in this process. */
  static boolean inThisProcess(PipelineOptions options) {
    String runner = options.getRunner().getName();
    return switch (runner) {
      case DIRECT -> true;
      case FLINK -> isOneProcess(runner,
          (String) option(options, "org.apache.beam.runners.flink.FlinkPipelineOptions",
              "getFlinkMaster"));
      case SPARK -> !Boolean.TRUE.equals(option(options, SPARK_OPTIONS,
          "getUsesProvidedSparkContext")) && isOneProcess(runner, sparkMaster(options));
      default -> false;
    };
  }

  /** The pure rule, given the runner's class name and its master option (null: unknown). */
  static boolean isOneProcess(String runner, String master) {
    if (DIRECT.equals(runner)) {
      return true;
    }
    if (master == null) {
      return false;
    }
    String m = master.trim().toLowerCase(Locale.ROOT);
    if (FLINK.equals(runner)) {
      return m.equals("[local]");
    }
    if (SPARK.equals(runner)) {
      return m.equals("local") || m.startsWith("local[");
    }
    return false;
  }

  /**
   * The master Spark will use: Beam's SparkContextFactory keeps a {@code spark.master} that
   * SparkConf already holds, which spark-submit sets as a system property of the driver (so
   * {@code spark-submit --master yarn} runs on YARN whatever {@code --sparkMaster} says).
   */
  static String sparkMaster(PipelineOptions options) {
    String submitted = System.getProperty("spark.master");
    return submitted != null ? submitted
        : (String) option(options, SPARK_OPTIONS, "getSparkMaster");
  }

  /** A runner option's value, or null when its interface is not on the class path. */
  static Object option(PipelineOptions options, String iface, String getter) {
    try {
      Class<? extends PipelineOptions> type = Class.forName(iface, false,
          options.getRunner().getClassLoader()).asSubclass(PipelineOptions.class);
      Method get = type.getMethod(getter);
      return get.invoke(options.as(type));
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return null; // treated as distributed: the always-correct path
    }
  }
}
