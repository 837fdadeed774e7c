package io.shardyfusion.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.BuildStats;
import io.shardyfusion.writer.publish.ShardAttempt;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/** ShardAttemptCoder and BuildResultCoder round-trip every field, keys keeping their type. */
public class WriterCodersTest {
  private static final List<ShardFile> FILES = List.of(new ShardFile("000001.sst", 1234, "0a0b0c0d"),
      new ShardFile("MANIFEST-000005", 99, "ffffffff"));
  /** Every Java type a key takes in its JSON form, and none. */
  private static final List<Object> KEYS = Arrays.asList(null, 42L, 7, "ünï",
      new BigInteger("18446744073709551615"), 1.5, "AQID");

  private static ShardAttempt attempt(Object minKey, Object maxKey, String contentHash) {
    return new ShardAttempt(3, "a1b2c3d4", "s3://b/p/shards/run_id=r/db=00003/attempt=a1b2c3d4",
        1000, 4096, 9000, minKey, maxKey, FILES, "beam", "host-1", 321, contentHash,
        "0123456789abcdef0123456789abcdef");
  }

  @Test
  public void shardAttemptsRoundTrip() throws Exception {
    for (Object key : KEYS) {
      ShardAttempt a = attempt(key, key, key == null ? null : "00112233445566778899aabbccddeeff");
      CoderProperties.coderDecodeEncodeEqual(ShardAttemptCoder.of(), a);
      ShardAttempt back = CoderUtils.clone(ShardAttemptCoder.of(), a);
      assertThat(back.minKey() == null ? null : back.minKey().getClass())
          .isEqualTo(key == null ? null : key.getClass());
    }
    CoderProperties.coderDecodeEncodeEqual(ShardAttemptCoder.of(),
        new ShardAttempt(0, "x", "file:///s", 0, 0, 0, null, null, List.of(), null, null, 0,
            null, null));
  }

  @Test
  public void buildResultsRoundTrip() throws Exception {
    List<ShardMeta> winners = new ArrayList<>();
    for (Object key : KEYS) {
      winners.add(attempt(key, key, "00112233445566778899aabbccddeeff").toShardMeta());
    }
    winners.add(new ShardMeta(9, "file:///s/db=9", null, 1, 2, 1L, 1L, FILES, null, null));
    BuildStats stats = BuildStats.builder().rowsWritten(7000).bytesWritten(63_000).numDbs(10)
        .numWinners(8).numAttemptResults(9).shardingMs(1).writeMs(2).manifestMs(3).totalMs(6)
        .build();
    BuildResult r = new BuildResult("r1", winners, "s3://b/p/manifests/m.json", stats);
    CoderProperties.coderDecodeEncodeEqual(BuildResultCoder.of(), r);
    CoderProperties.coderDecodeEncodeEqual(BuildResultCoder.of(),
        new BuildResult("empty", List.of(), "file:///m", BuildStats.builder().build()));
  }

  @Test
  public void aKeyOfAnotherTypeIsRefusedNamingIt() {
    assertThatThrownBy(() -> CoderUtils.encodeToByteArray(ShardAttemptCoder.of(),
        attempt(new Object() {
          @Override
          public String toString() {
            return "odd-key";
          }
        }, 1L, null)))
        .isInstanceOf(CoderException.class).hasMessageContaining("odd-key");
  }
}
