package io.shardyfusion.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.manifest.ManifestLimits;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.routing.KeyConverter;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.runs.RunRecordCodec;
import io.shardyfusion.storage.LocalObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile corpus against the parsers that need no server: JSON manifests (generated
 * mutations and literal files), {@code _CURRENT} pointers and run records. Each input is refused
 * with a non-retryable {@link ManifestParseException} that names the object and the problem, or
 * (the few legal edge cases) parses to a valid object.
 */
class HostileInputsTest {
  private static final String SOURCE = "s3://bucket/snapshots/users/manifests/x/manifest";

  static Stream<HostileJsonManifests.Case> jsonManifests() {
    return HostileJsonManifests.cases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jsonManifests")
  void jsonManifestIsRefusedClearly(HostileJsonManifests.Case c) {
    if (c.expected() == null) {
      Manifest m = ManifestFormats.decode(c.bytes(), SOURCE);
      assertThat(m.shards()).isNotEmpty();
      return;
    }
    assertRefused(() -> ManifestFormats.decode(c.bytes(), SOURCE), SOURCE, c.expected());
  }

  static List<HostileCorpus.Entry> jsonFiles() {
    return HostileCorpus.files("json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jsonFiles")
  void literalManifestFileIsRefusedClearly(HostileCorpus.Entry e) {
    assertRefused(() -> ManifestFormats.decode(e.bytes(), SOURCE), SOURCE, e.expected());
  }

  static List<HostileCorpus.Entry> pointerFiles() {
    return HostileCorpus.files("current");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pointerFiles")
  void pointerIsRefusedClearly(HostileCorpus.Entry e) {
    String source = "s3://bucket/snapshots/users/_CURRENT";
    assertRefused(() -> ManifestCodec.parseCurrent(e.bytes(), source), source, e.expected());
  }

  static List<HostileCorpus.Entry> runFiles() {
    return HostileCorpus.files("runs");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runFiles")
  void runRecordIsRefusedClearly(HostileCorpus.Entry e) {
    String source = "s3://bucket/snapshots/users/runs/x/run.yaml";
    assertRefused(() -> RunRecordCodec.parseYaml(e.bytes(), "runs/x/run.yaml", source), source,
        e.expected());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runFiles")
  void runRecordAsLegacyJsonIsRefusedClearly(HostileCorpus.Entry e) {
    // The same bytes through the legacy _RUN parser: YAML is not JSON, so all refused too.
    String source = "s3://bucket/snapshots/users/runs/x/_RUN";
    assertThatThrownBy(() -> RunRecordCodec.parse(e.bytes(), "runs/x/_RUN", source))
        .isInstanceOf(ManifestParseException.class)
        .satisfies(t -> assertThat(((ShardyfusionException) t).retryable()).isFalse())
        .hasMessageContaining(source);
  }

  @org.junit.jupiter.api.Test
  void oversizedPointerAndRunRecordAreRefusedBeforeParsing() {
    byte[] pointer = ("{\"manifest_ref\":\"" + "a".repeat(ManifestLimits.MAX_POINTER_BYTES)
        + "\"}").getBytes(StandardCharsets.UTF_8);
    assertRefused(() -> ManifestCodec.parseCurrent(pointer, "mem://_CURRENT"), "mem://_CURRENT",
        "more than the " + ManifestLimits.MAX_POINTER_BYTES);
    byte[] run = ("run_id: \"" + "r".repeat(ManifestLimits.MAX_RUN_RECORD_BYTES) + "\"\n")
        .getBytes(StandardCharsets.UTF_8);
    assertRefused(() -> RunRecordCodec.parseYaml(run, "k", "mem://run.yaml"), "mem://run.yaml",
        "more than the " + ManifestLimits.MAX_RUN_RECORD_BYTES);
  }

  @org.junit.jupiter.api.Test
  void manifestAboveTheConfiguredBoundIsRefusedBeforeParsing() {
    byte[] valid = ManifestFormats.JSON.encode(HostileJsonManifests.valid());
    String old = System.getProperty(ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY);
    System.setProperty(ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY,
        Integer.toString(valid.length - 1));
    try {
      assertRefused(() -> ManifestFormats.decode(valid, SOURCE), SOURCE,
          "more than the " + (valid.length - 1) + " bytes",
          ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY);
    } finally {
      if (old == null) {
        System.clearProperty(ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY);
      } else {
        System.setProperty(ManifestLimits.MAX_MANIFEST_BYTES_PROPERTY, old);
      }
    }
    assertThat(ManifestFormats.decode(valid, SOURCE).shards()).hasSize(2);
  }

  @org.junit.jupiter.api.Test
  void keysAtTheLimitsOfEachEncoding() {
    assertThat(KeyConverter.fromText("9223372036854775807", KeyEncoding.U64BE))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(KeyConverter.fromText("0", KeyEncoding.U64BE)).isEqualTo(0L);
    assertThat(KeyConverter.fromText("4294967295", KeyEncoding.U32BE)).isEqualTo(4294967295L);
    assertThat(KeyConverter.fromText("", KeyEncoding.UTF8)).isEqualTo("");
    assertThat((byte[]) KeyConverter.fromText("hex:", KeyEncoding.RAW)).isEmpty();
    for (String[] bad : new String[][] {{"9223372036854775808", "u64be"},
        {"-1", "u64be"}, {"4294967296", "u32be"}, {"", "u64be"}, {"hex:0", "raw"},
        {"base64:!!", "raw"}}) {
      KeyEncoding e = KeyEncoding.fromWireName(bad[1]);
      assertThatThrownBy(() -> KeyConverter.fromText(bad[0], e))
          .isInstanceOf(KeyValidationException.class);
    }
    // a megabyte of digits: refused at once, with a message of bounded size
    String huge = "1".repeat(1_000_000);
    assertThatThrownBy(() -> KeyConverter.fromText(huge, KeyEncoding.U64BE))
        .isInstanceOf(KeyValidationException.class)
        .satisfies(t -> assertThat(t.getMessage()).hasSizeLessThan(300));
    assertThatThrownBy(() -> KeyConverter.fromText("hex:" + "zz".repeat(500_000),
        KeyEncoding.RAW)).isInstanceOf(KeyValidationException.class)
        .satisfies(t -> assertThat(t.getMessage()).hasSizeLessThan(300));
  }

  @org.junit.jupiter.api.Test
  void storeKeysFromUrlsCannotClimbOutOfThePrefix(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    try (LocalObjectStore store = new LocalObjectStore(dir)) {
      String base = store.baseUrl();
      assertThat(store.keyOf(base + "/shards/db=00000")).isEqualTo("shards/db=00000");
      for (String url : new String[] {base + "/shards/../../x", base + "/./x", base + "//x",
          base + "/x/%2e%2e/y", base + "/x\u0000", base + "/", base + "/a\\..\\b",
          "s3://other/x", base + "-sibling/x"}) {
        assertThatThrownBy(() -> store.keyOf(url)).as(url)
            .isInstanceOf(StorageException.class)
            .satisfies(t -> assertThat(((ShardyfusionException) t).retryable()).isFalse());
      }
    }
  }

  static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      String source, String... fragments) {
    assertThatThrownBy(call)
        .isInstanceOf(ManifestParseException.class)
        .satisfies(t -> assertThat(((ShardyfusionException) t).retryable()).isFalse())
        .hasMessageContaining(source)
        .satisfies(t -> {
          for (String f : fragments) {
            assertThat(t.getMessage()).contains(f);
          }
        });
  }
}
