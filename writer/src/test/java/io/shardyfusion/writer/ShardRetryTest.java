package io.shardyfusion.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The retry decision and its budget, without any store: pure logic. */
class ShardRetryTest {
  private static final StorageException THROTTLED =
      new StorageException("put s3://b/k failed: HTTP 503 SlowDown", true);

  @Test
  void retriesOnlyRetryableFailuresOfOursWithinTheBudget() {
    ShardRetry retry = ShardRetry.of(2, Duration.ZERO);
    assertThat(retry.maxAttempts()).isEqualTo(3);
    assertThat(retry.shouldRetry(THROTTLED, 1)).isTrue();
    assertThat(retry.shouldRetry(THROTTLED, 2)).isTrue();
    assertThat(retry.shouldRetry(THROTTLED, 3)).isFalse();
    assertThat(retry.shouldRetry(new StorageException("403 AccessDenied", false), 1)).isFalse();
    assertThat(retry.shouldRetry(new DuplicateKeyException(3, "42"), 1)).isFalse();
    assertThat(retry.shouldRetry(new IllegalStateException("not ours"), 1)).isFalse();
    assertThat(ShardRetry.NONE.shouldRetry(THROTTLED, 1)).isFalse();
    assertThat(WriteConfig.builder().numDbs(1)
        .s3Prefix("file:///tmp/x").build().shardRetry()).isEqualTo(ShardRetry.NONE);
  }

  @Test
  void backoffGrowsByTheMultiplierAndIsCapped() {
    ShardRetry retry = new ShardRetry(5, Duration.ofMillis(100), 3.0);
    assertThat(retry.backoffBefore(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(retry.backoffBefore(2)).isEqualTo(Duration.ofMillis(300));
    assertThat(retry.backoffBefore(3)).isEqualTo(Duration.ofMillis(900));
    assertThat(new ShardRetry(50, Duration.ofSeconds(1), 10).backoffBefore(20))
        .isEqualTo(ShardRetry.MAX_BACKOFF);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> ShardRetry.of(-1, Duration.ZERO))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("maxRetries");
    assertThatThrownBy(() -> ShardRetry.of(1, Duration.ofSeconds(-1)))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("initialBackoff");
    assertThatThrownBy(() -> new ShardRetry(1, Duration.ZERO, 0.5))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("backoffMultiplier");
  }

  @Test
  void aShardsBudgetIsSharedByItsStepsAndRetriesUseTheRetrySupplier() {
    ShardRetrier retrier = new ShardRetrier(ShardRetry.of(2, Duration.ZERO), "run", 1);
    List<String> calls = new ArrayList<>();
    String built = retrier.run("build", () -> {
      calls.add("first build");
      throw THROTTLED;
    }, () -> {
      calls.add("rebuild");
      return "files";
    });
    assertThat(built).isEqualTo("files");
    // One retry left for the upload: the second upload failure is final.
    assertThatThrownBy(() -> retrier.run("upload", () -> {
      calls.add("upload");
      throw THROTTLED;
    }, () -> {
      calls.add("upload again");
      throw THROTTLED;
    })).isSameAs(THROTTLED);
    assertThat(calls).containsExactly("first build", "rebuild", "upload", "upload again");
    assertThat(retrier.failures()).isEqualTo(3);
  }

  @Test
  void aNonRetryableFailureIsThrownAtOnce() {
    ShardRetrier retrier = new ShardRetrier(ShardRetry.of(5, Duration.ZERO), "run", 0);
    KeyValidationException bad = new KeyValidationException("key -1 is out of range");
    List<String> calls = new ArrayList<>();
    assertThatThrownBy(() -> retrier.run("build", () -> {
      calls.add("build");
      throw bad;
    }, () -> {
      calls.add("rebuild");
      return "never";
    })).isSameAs(bad);
    assertThat(calls).containsExactly("build");
  }
}
