package io.shardyfusion.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestChecks;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.routing.KeyConverter;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecordCodec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/**
 * Fuzz properties (jqwik) over the parsers of untrusted bytes: JSON manifests, {@code _CURRENT}
 * pointers, run records (YAML and the legacy JSON) and the key converter. Any input either
 * parses to a valid object or is refused with a {@link ShardyfusionException}; any other
 * throwable (NullPointerException, IllegalArgumentException, ClassCastException, ArithmeticException,
 * OutOfMemoryError, StackOverflowError) fails the property and jqwik prints the seed that
 * reproduces it. Inputs are mutations of valid documents, chosen by a seed, so they stay close
 * enough to valid to reach deep into the parsers. Bounded by tries (a few seconds in all).
 */
class ParserFuzzTest {
  /** Seeds: HASH, CEL with range boundaries (bytes, base64), categorical CEL. */
  private static final List<byte[]> MANIFESTS = List.of(
      ManifestFormats.JSON.encode(HostileJsonManifests.valid()),
      ManifestFormats.JSON.encode(HostileJsonManifests.withSharding(
          ShardingSpec.cel("bytes(string(key))", List.of("b".getBytes(StandardCharsets.UTF_8),
              "m".getBytes(StandardCharsets.UTF_8), "t".getBytes(StandardCharsets.UTF_8))))),
      ManifestFormats.JSON.encode(HostileJsonManifests.withSharding(
          ShardingSpec.celCategorical("key % 4", null, List.of(10L, 20L, 30L, 40L)))));
  private static final byte[] POINTER = ManifestCodec.toJson(new CurrentPointer(
      HostileJsonManifests.PREFIX + "/manifests/2024-06-01T12:34:56.789000Z_run_id=r/manifest",
      "application/json", "r", Instant.parse("2026-12-01T20:49:51.172970Z"), 1));
  private static final byte[] RUN_YAML = RunRecordCodec.toYaml(
      RunRecordCodec.parseYaml(("format_version: 1\nrun_id: \"r\"\nstatus: \"succeeded\"\n"
          + "started_at: \"2026-12-01T20:49:51.172970Z\"\nupdated_at: "
          + "\"2026-12-01T20:49:52.172970Z\"\nlease_expires_at: \"2026-12-01T20:59:51.172970Z\"\n"
          + "manifest_ref: \"s3://b/p/manifests/x/manifest\"\nwriter_type: \"python\"\n")
          .getBytes(StandardCharsets.UTF_8), "runs/x/run.yaml", "seed"));
  private static final String SOURCE = "fuzz://manifest";

  /** Runs {@code parse}: a result must be valid, a failure a ShardyfusionException. */
  static <T> T parsesOrRefuses(Supplier<T> parse) {
    try {
      return parse.get();
    } catch (ShardyfusionException e) {
      assertThat(e.getMessage()).isNotBlank();
      return null;
    }
  }

  @Property
  void jsonManifestBytes(@ForAll long seed) {
    Random r = new Random(seed);
    byte[] input = Mutations.bytes(MANIFESTS.get(r.nextInt(MANIFESTS.size())), r);
    Manifest m = parsesOrRefuses(() -> ManifestFormats.decode(input, SOURCE));
    if (m != null) {
      ManifestChecks.validate(m, SOURCE); // what decoding accepted passes the shared checks
    }
  }

  @Property
  void jsonManifestStructure(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    JsonNode tree = ManifestCodec.mapper().readTree(MANIFESTS.get(r.nextInt(MANIFESTS.size())));
    Mutations.tree(tree, r);
    byte[] input = ManifestCodec.mapper().writeValueAsBytes(tree);
    Manifest m = parsesOrRefuses(() -> ManifestFormats.decode(input, SOURCE));
    if (m != null) {
      ManifestChecks.validate(m, SOURCE);
      assertThat(m.numDbs()).isPositive();
    }
  }

  @Property
  void currentPointer(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    byte[] input;
    if (r.nextBoolean()) {
      input = Mutations.bytes(POINTER, r);
    } else {
      JsonNode tree = ManifestCodec.mapper().readTree(POINTER);
      Mutations.tree(tree, r);
      input = ManifestCodec.mapper().writeValueAsBytes(tree);
    }
    CurrentPointer p = parsesOrRefuses(() -> ManifestCodec.parseCurrent(input, "fuzz://_CURRENT"));
    if (p != null) {
      assertThat(p.manifestRef()).isNotBlank();
      assertThat(p.runId()).isNotBlank();
      assertThat(p.updatedAt()).isNotNull();
    }
  }

  @Property
  void runRecordYaml(@ForAll long seed) {
    byte[] input = Mutations.bytes(RUN_YAML, new Random(seed));
    RunRecord rec = parsesOrRefuses(() -> RunRecordCodec.parseYaml(input, "runs/x/run.yaml",
        "fuzz://run.yaml"));
    if (rec != null) {
      assertThat(rec.runId()).isNotBlank();
      assertThat(rec.status()).isNotNull();
      assertThat(rec.leaseExpiresAt()).isNotNull();
    }
  }

  @Property
  void legacyRunRecordJson(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    JsonNode tree = ManifestCodec.mapper().readTree(RunRecordCodec.toJson(
        RunRecordCodec.parseYaml(RUN_YAML, "k", "seed")));
    Mutations.tree(tree, r);
    byte[] input = r.nextBoolean() ? ManifestCodec.mapper().writeValueAsBytes(tree)
        : Mutations.bytes(ManifestCodec.mapper().writeValueAsBytes(tree), r);
    RunRecord rec = parsesOrRefuses(() -> RunRecordCodec.parse(input, "runs/x/_RUN",
        "fuzz://_RUN"));
    if (rec != null) {
      assertThat(rec.runId()).isNotBlank();
    }
  }

  @Property
  void keyText(@ForAll @StringLength(max = 80) String text, @ForAll KeyEncoding encoding,
      @ForAll long seed) {
    Random r = new Random(seed);
    String[] prefixes = {"", "hex:", "0x", "base64:", "-", "+", " ", "0", "9".repeat(30)};
    String input = prefixes[r.nextInt(prefixes.length)] + text;
    Object key = parsesOrRefuses(() -> KeyConverter.fromText(input, encoding));
    if (key != null) {
      // a parsed key is one the encoding stores
      assertThat(encoding.encode(key)).isNotNull();
    }
  }

  @Property
  void keyValue(@ForAll KeyEncoding encoding, @ForAll boolean typed, @ForAll long seed) {
    Random r = new Random(seed);
    Object[] values = {null, -1L, 0L, Long.MAX_VALUE, Long.MIN_VALUE, 4_294_967_296L,
        BigInteger.TWO.pow(64), BigInteger.TWO.pow(63).subtract(BigInteger.ONE), "", "x",
        " 42 ", "1e3", "-0", new byte[0], new byte[] {0, (byte) 0xff}, 1.5, true, List.of(1),
        java.util.Map.of("a", 1), "9".repeat(200), Integer.valueOf(7), 'c'};
    Object input = values[r.nextInt(values.length)];
    Object key = parsesOrRefuses(() -> KeyConverter.fromValue(input, encoding, typed));
    if (key != null) {
      assertThat(encoding.encode(key)).isNotNull();
    }
  }
}
