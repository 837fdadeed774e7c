package io.shardyfusion.transforms;

import io.shardyfusion.routing.RoutingValueInference;
import io.shardyfusion.writer.WriteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * The first pass of a write that infers its categorical routing values (WriteConfig's
 * {@code inferRoutingValues}): each element's CEL token, combined globally into the distinct
 * set (bounded: more than {@link RoutingValueInference#MAX_VALUES} fails the combine), as a
 * singleton side input. Consumers sort it with {@link RoutingValueInference#decodeSorted}, so
 * every worker derives the same routing values whatever order the runner combined in.
 *
 * <pre>{@code
 * PCollectionView<List<String>> tokens = InferRoutingValues.view(input, config, keyFn, ctxFn);
 * WriteConfig resolved = InferRoutingValues.resolve(config, c.sideInput(tokens));
 * }</pre>
 */
final class InferRoutingValues {
  private InferRoutingValues() {}

  static <S, T> PCollectionView<List<String>> view(PCollection<S> input, WriteConfig config,
      SourceReader<S, T> reader, SerializableFunction<T, ?> keyFn,
      SerializableFunction<T, Map<String, Object>> routingContextFn) {
    return input
        .apply("RoutingTokens", ParDo.of(new TokenFn<>(config, reader, keyFn,
            routingContextFn)))
        .setCoder(StringUtf8Coder.of())
        .apply("DistinctTokens", Combine.globally(new DistinctFn()))
        .setCoder(ListCoder.of(StringUtf8Coder.of()))
        .apply("RoutingValuesView", View.asSingleton());
  }

  /** {@code config} with the routing values the distinct tokens make. */
  static WriteConfig resolve(WriteConfig config, List<String> distinctTokens) {
    return config.withRoutingValues(RoutingValueInference.decodeSorted(distinctTokens));
  }

  /**
   * The distinct tokens of each bundle's elements, in {@link RoutingValueInference#encode}'s
   * text form: at most the limit + 1 per bundle, so a step's output stays small however many
   * elements it reads (the Direct runner holds a step's output in heap).
   */
  static final class TokenFn<S, T> extends DoFn<S, String> {
    private static final long serialVersionUID = 1L;
    private final WriteConfig config;
    private final SourceReader<S, T> reader;
    private final SerializableFunction<T, ?> keyFn;
    private final SerializableFunction<T, Map<String, Object>> routingContextFn;
    private transient RoutingValueInference.Tokens tokens;
    private transient TreeSet<String> seen;

    TokenFn(WriteConfig config, SourceReader<S, T> reader, SerializableFunction<T, ?> keyFn,
        SerializableFunction<T, Map<String, Object>> routingContextFn) {
      this.config = config;
      this.reader = reader;
      this.keyFn = keyFn;
      this.routingContextFn = routingContextFn;
    }

    @Setup
    public void setup() {
      tokens = RoutingValueInference.tokens(config.sharding(), config.keyEncoding());
    }

    @StartBundle
    public void startBundle() {
      seen = new TreeSet<>();
    }

    @ProcessElement
    public void process(@Element S source) {
      SortRunsFn.readEach(reader, source, this::add);
    }

    private void add(T element) {
      Object token;
      try {
        token = tokens.of(keyFn.apply(element),
            routingContextFn == null ? null : routingContextFn.apply(element));
      } catch (io.shardyfusion.errors.KeyValidationException e) {
        throw new io.shardyfusion.errors.KeyValidationException("element "
            + SortRunsFn.describe(element) + ": " + e.getMessage(), e);
      } catch (io.shardyfusion.errors.RoutingException e) {
        throw new io.shardyfusion.errors.RoutingException("element "
            + SortRunsFn.describe(element) + ": " + e.getMessage(), e);
      }
      if (seen.add(RoutingValueInference.encode(token))) {
        RoutingValueInference.checkCount(seen.size());
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      for (String token : seen) {
        c.output(token, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
      seen = null;
    }
  }

  /** The distinct encoded tokens; the accumulator never holds more than the limit + 1. */
  static final class DistinctFn extends Combine.CombineFn<String, TreeSet<String>, List<String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public TreeSet<String> createAccumulator() {
      return new TreeSet<>();
    }

    @Override
    public TreeSet<String> addInput(TreeSet<String> acc, String token) {
      if (acc.add(token)) {
        RoutingValueInference.checkCount(acc.size());
      }
      return acc;
    }

    @Override
    public TreeSet<String> mergeAccumulators(Iterable<TreeSet<String>> accs) {
      TreeSet<String> out = new TreeSet<>();
      for (TreeSet<String> a : accs) {
        out.addAll(a);
        RoutingValueInference.checkCount(out.size());
      }
      return out;
    }

    @Override
    public List<String> extractOutput(TreeSet<String> acc) {
      return new ArrayList<>(acc);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Coder<TreeSet<String>> getAccumulatorCoder(CoderRegistry registry,
        Coder<String> inputCoder) throws CannotProvideCoderException {
      return (Coder) SerializableCoder.of(TreeSet.class);
    }
  }
}
