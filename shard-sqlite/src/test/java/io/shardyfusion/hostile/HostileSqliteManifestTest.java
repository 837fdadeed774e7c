package io.shardyfusion.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestFormats;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile SQLite manifests: each is refused with a non-retryable
 * {@link ManifestParseException} naming the manifest and the problem, without SQLite computing
 * anything the file's schema asks for (views, generated columns, virtual tables); the few legal
 * oddities (a trigger, odd operator info) decode.
 */
class HostileSqliteManifestTest {
  private static final String SOURCE = "s3://bucket/snapshots/py/manifests/x/manifest";

  static Stream<HostileSqliteManifests.Case> cases() {
    return HostileSqliteManifests.cases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sqliteManifestIsRefusedClearly(HostileSqliteManifests.Case c) {
    if (c.expected() == null) {
      Manifest m = ManifestFormats.decode(c.bytes(), SOURCE);
      assertThat(m.shards()).extracting(s -> s.dbId()).containsExactly(0, 2);
      return;
    }
    assertThatThrownBy(() -> ManifestFormats.decode(c.bytes(), SOURCE))
        .isInstanceOf(ManifestParseException.class)
        .satisfies(t -> assertThat(((ShardyfusionException) t).retryable()).isFalse())
        .hasMessageContaining(SOURCE)
        .hasMessageContaining(c.expected());
  }

  @org.junit.jupiter.api.Test
  void sqliteManifestAboveTheBoundIsRefusedBeforeSqliteSeesIt() {
    byte[] valid = HostileSqliteManifests.validBytes();
    String property = io.shardyfusion.manifest.ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY;
    System.setProperty(property, Integer.toString(valid.length - 1));
    try {
      assertThatThrownBy(() -> new io.shardyfusion.manifest.sqlite.SqliteManifestFormat()
          .decode(valid, SOURCE))
          .isInstanceOf(ManifestParseException.class)
          .hasMessageContaining("more than the " + (valid.length - 1) + " bytes")
          .hasMessageContaining(property);
    } finally {
      System.clearProperty(property);
    }
    assertThat(ManifestFormats.decode(valid, SOURCE).shards()).hasSize(2);
  }
}
