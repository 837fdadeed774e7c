package io.shardyfusion.transforms;

import io.shardyfusion.writer.WriteConfig;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * The {@code GroupByKey} key of each shard, chosen so that the runner's hash partitioning puts
 * the same number of shards on every build task. Flink's batch runner sends a key to task
 * {@code murmurHash(Arrays.hashCode(encoded key)) % parallelism}; with the shard id itself as
 * the key, 8 shards on 2 tasks landed 6 and 2, and the task with 6 set the build phase's length
 * (profiled: it ended 4.4 s after the other of a 7.4 s phase). So on Flink with a known
 * parallelism p, shard s is keyed {@code s + salt * 65536} with the smallest salt whose key goes
 * to task {@code s mod p}; {@link #shardOf} takes the salt off ({@code MAX_NUM_DBS} is 65536).
 *
 * <p>Only a placement hint: any runner groups the same key together, so correctness never
 * depends on it; where the runner or its parallelism is unknown (Spark, whose hash partitioner
 * already spreads small ids evenly; Flink on a cluster without {@code --parallelism}), keys are
 * the shard ids. Flink's hash function is Flink's own ({@code MathUtils.murmurHash}, loaded
 * on the worker), not a copy.
 */
final class ShardSpread implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int SALT_STEP = WriteConfig.MAX_NUM_DBS;
  private static final int MAX_SALT = Integer.MAX_VALUE / SALT_STEP;
  static final ShardSpread NONE = new ShardSpread(0);

  private final int flinkParallelism; // 0: keys are the shard ids
  private transient int[] keys; // shard id → key, filled on first use
  private transient Method murmur; // Flink's, looked up once per instance

  private ShardSpread(int flinkParallelism) {
    this.flinkParallelism = flinkParallelism;
  }

  /** Spread for the runner {@code options} name; {@link #NONE} if it is not known to help. */
  static ShardSpread forOptions(PipelineOptions options) {
    if (!OneProcessRunners.FLINK.equals(options.getRunner().getName())) {
      return NONE;
    }
    Object p = OneProcessRunners.option(options,
        "org.apache.beam.runners.flink.FlinkPipelineOptions", "getParallelism");
    int parallelism = p instanceof Integer i ? i : -1;
    if (parallelism <= 0 && OneProcessRunners.inThisProcess(options)) {
      // Beam's Flink runner gives a local environment the machine's core count.
      parallelism = Runtime.getRuntime().availableProcessors();
    }
    return parallelism > 1 ? new ShardSpread(parallelism) : NONE;
  }

  /** For tests: Flink's placement over {@code parallelism} tasks. */
  static ShardSpread flink(int parallelism) {
    return new ShardSpread(parallelism);
  }

  /** The shard a key stands for. */
  static int shardOf(int key) {
    return key % SALT_STEP;
  }

  /** The key of shard {@code shard}. */
  int keyOf(int shard) {
    if (flinkParallelism == 0) {
      return shard;
    }
    if (keys == null || shard >= keys.length) {
      int[] grown = new int[Math.max(shard + 1, keys == null ? 64 : keys.length * 2)];
      Arrays.fill(grown, -1);
      if (keys != null) {
        System.arraycopy(keys, 0, grown, 0, keys.length);
      }
      keys = grown;
    }
    if (keys[shard] < 0) {
      keys[shard] = search(shard, shard % flinkParallelism);
    }
    return keys[shard];
  }

  private int search(int shard, int task) {
    if (murmur == null) {
      murmur = flinkMurmur();
    }
    if (murmur == null) {
      return shard; // not on Flink after all: the plain id is always correct
    }
    try {
      for (int salt = 0; salt <= MAX_SALT; salt++) {
        int key = shard + salt * SALT_STEP;
        int hash = Arrays.hashCode(CoderUtils.encodeToByteArray(VarIntCoder.of(), key));
        if ((int) murmur.invoke(null, hash) % flinkParallelism == task) {
          return key;
        }
      }
    } catch (CoderException | ReflectiveOperationException e) {
      return shard;
    }
    return shard;
  }

  private static Method flinkMurmur() {
    try {
      return Class.forName("org.apache.flink.util.MathUtils").getMethod("murmurHash", int.class);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
