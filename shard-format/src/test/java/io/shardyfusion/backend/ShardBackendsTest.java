package io.shardyfusion.backend;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import org.junit.jupiter.api.Test;

class ShardBackendsTest {
  @Test
  void anUnknownBackendNamesWhatIsAvailableAndIsNotRetryable() {
    // shard-format alone ships no backend: the list is empty here, and the fix names a module.
    assertThatThrownBy(() -> ShardBackends.forName("lmdb"))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("shard backend 'lmdb' is not available here (on the classpath: [])")
        .hasMessageContaining("shardyfusion-shard-lmdb")
        .matches(e -> !((ConfigValidationException) e).retryable());
  }
}
