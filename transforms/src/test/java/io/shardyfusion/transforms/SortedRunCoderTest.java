package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/** The shuffle's run coder: blocks and file references round-trip byte for byte, nested too. */
class SortedRunCoderTest {
  private static byte[] randomBlock(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void blocksAndFileSegmentsRoundTripInEveryContext() throws Exception {
    SortedRun[] runs = {
        SortedRun.block(-1L, 0, 0, new byte[0]),
        SortedRun.block(0x0123456789abcdefL, 7, 3, randomBlock(300)),
        SortedRun.block(Long.MIN_VALUE, Integer.MAX_VALUE, 100_000, randomBlock(3 << 19)),
        SortedRun.fileSegment(42L, 1, 12, "/tmp/shärdy-runs-r/00ff-1.run", 0, 1234),
        SortedRun.fileSegment(43L, 2, 5, "/x", Long.MAX_VALUE / 2, 1L << 40)};
    for (SortedRun run : runs) {
      CoderProperties.coderDecodeEncodeEqual(SortedRunCoder.of(), run);
      CoderProperties.coderDeterministic(SortedRunCoder.of(), run, run);
      SortedRun back = CoderUtils.clone(SortedRunCoder.of(), run);
      assertThat(back.id()).isEqualTo(run.id());
      assertThat(back.records()).isEqualTo(run.records());
      assertThat(back.isFileSegment()).isEqualTo(run.isFileSegment());
      assertThat(back.length()).isEqualTo(run.length());
      if (run.isFileSegment()) {
        assertThat(back.file()).isEqualTo(run.file());
        assertThat(back.offset()).isEqualTo(run.offset());
      } else {
        assertThat(back.block()).isEqualTo(run.block());
      }
      // The size Beam may ask for without encoding is the encoded size.
      assertThat(SortedRunCoder.of().getEncodedElementByteSize(run))
          .isEqualTo(CoderUtils.encodeToByteArray(SortedRunCoder.of(), run).length);
    }
    // As the shuffle and the group carry them: KV values and iterables of runs.
    KvCoder<Integer, Iterable<SortedRun>> grouped = KvCoder.of(VarIntCoder.of(),
        IterableCoder.of(SortedRunCoder.of()));
    KV<Integer, Iterable<SortedRun>> group = KV.of(5, Arrays.asList(runs));
    KV<Integer, Iterable<SortedRun>> back = CoderUtils.clone(grouped, group);
    assertThat(back.getValue()).containsExactly(runs);
  }

  @Test
  void aBlockCostsItsBytesPlusAFewHeaderBytes() throws Exception {
    SortedRun run = SortedRun.block(1L, 1, 1, randomBlock(1 << 20));
    assertThat(CoderUtils.encodeToByteArray(SortedRunCoder.of(), run).length)
        .as("no Java serialization overhead").isLessThan((1 << 20) + 20);
  }

  @Test
  void anUnknownTagIsRefused() {
    byte[] bad = new byte[16];
    bad[0] = 9;
    assertThatThrownBy(() -> CoderUtils.decodeFromByteArray(SortedRunCoder.of(), bad))
        .isInstanceOf(CoderException.class).hasMessageContaining("unknown sorted run tag 9");
  }
}
