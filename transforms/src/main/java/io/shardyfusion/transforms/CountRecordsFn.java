package io.shardyfusion.transforms;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;

/**
 * The number of elements the sources of each bundle hold, one count per bundle (summed
 * globally by {@link ShardedWrite} for {@code maxKeysPerShard}): one small output per bundle
 * however many elements the sources hold.
 */
final class CountRecordsFn<S, T> extends DoFn<S, Long> {
  private static final long serialVersionUID = 1L;
  private final SourceReader<S, T> reader;
  private transient long count;

  CountRecordsFn(SourceReader<S, T> reader) {
    this.reader = reader;
  }

  @StartBundle
  public void startBundle() {
    count = 0;
  }

  @ProcessElement
  public void process(@Element S source) {
    SortRunsFn.readEach(reader, source, element -> count++);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    c.output(count, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
  }
}
