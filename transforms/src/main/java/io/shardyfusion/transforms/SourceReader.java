package io.shardyfusion.transforms;

import java.io.Serializable;
import java.util.function.Consumer;

/**
 * Reads the elements that one source holds (a file, a byte range of one), for {@link
 * ShardedWrite#readingEach}: the write then reads each source inside its own routing step, so
 * the elements never become a PCollection. That matters on the Direct runner, which has no
 * backpressure and keeps every element a step outputs in heap until the next step takes it (a
 * 10M-line file read by one step before routing is 10M objects in heap at once).
 *
 * <pre>{@code
 * SourceReader<String, Row> lines = (path, out) -> {
 *   try (BufferedReader r = Files.newBufferedReader(Paths.get(path))) {
 *     r.lines().map(Row::parse).forEach(out);
 *   }
 * };
 * paths.apply(ShardedWrite.<Row>to(config).withKeyFn(Row::id).withValueFn(Row::bytes)
 *     .readingEach(lines));
 * }</pre>
 *
 * <p>Called once per source per pass: once to route, and once more each for counting rows
 * ({@code maxKeysPerShard}) and for inferring routing values, when the config asks for them. A
 * reader that throws fails the bundle; an {@link java.io.IOException} is retried by the runner
 * as a storage error.
 */
@FunctionalInterface
public interface SourceReader<S, T> extends Serializable {
  /** Hands every element of {@code source} to {@code out}, in any order. */
  void read(S source, Consumer<? super T> out) throws Exception;

  /** The reader of a write applied to the elements themselves: each source is one element. */
  static <T> SourceReader<T, T> itself() {
    return (element, out) -> out.accept(element);
  }
}
