package io.shardyfusion.manifest;

import static io.shardyfusion.manifest.ManifestSchemaAssertions.assertValidCurrentPointer;
import static io.shardyfusion.manifest.ManifestSchemaAssertions.assertValidManifest;
import static io.shardyfusion.manifest.ManifestSchemaAssertions.currentPointerSchemaErrors;
import static io.shardyfusion.manifest.ManifestSchemaAssertions.manifestSchemaErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
  private static final String SOURCE = "file:///snap/manifests/x/manifest";
  private static final Instant CREATED = Instant.parse("2024-06-01T12:34:56.789Z");

  static Manifest realisticManifest() {
    ShardingSpec spec = ShardingSpec.celColumns("shard_hash(region) % 4u",
        Map.of("region", "string"));
    BuildMeta required = new BuildMeta("20240601T123456Z-a1b2", CREATED, 4,
        "s3://bucket/snapshots/users", "user_id", ShardingMeta.of(spec),
        BuildMeta.DB_PATH_TEMPLATE, "shards", BuildMeta.FORMAT_VERSION,
        KeyEncoding.U64BE.wireName(), "rocksdb");
    ShardMeta s0 = new ShardMeta(0,
        "s3://bucket/snapshots/users/shards/run_id=20240601T123456Z-a1b2/db=00000/attempt=a0",
        "a0", 1200, 4096 + 512 + 16, 3L, 999_999L,
        List.of(new ShardFile("000012.sst", 4096, "0a1b2c3d"),
            new ShardFile("MANIFEST-000005", 512, "ffffffff"),
            new ShardFile("CURRENT", 16, "00000000")),
        new ShardMeta.WriterInfo("beam-flink", "worker-3", 1834),
        "0123456789abcdef0123456789abcdef");
    ShardMeta s2 = new ShardMeta(2,
        "s3://bucket/snapshots/users/shards/run_id=20240601T123456Z-a1b2/db=00002/attempt=b7",
        "b7", 7, 100, 5L, 5L, List.of(new ShardFile("000007.sst", 100, "12345678")), null,
        null);
    return new Manifest(required, List.of(s0, s2),
        Map.of("owner", "team-x", "source_rows", 1207, "tags", List.of("daily", "eu")));
  }

  private static ObjectNode tree(Manifest m) throws Exception {
    return (ObjectNode) ManifestCodec.mapper().readTree(ManifestFormats.JSON.encode(m));
  }

  private static byte[] bytes(ObjectNode node) throws Exception {
    return ManifestCodec.mapper().writeValueAsBytes(node);
  }

  // ---- round trips and schema

  @Test
  void realisticManifestRoundTrips() {
    Manifest m = realisticManifest();
    byte[] json = ManifestFormats.JSON.encode(m);
    Manifest back = ManifestFormats.decode(json, SOURCE);

    assertThat(back.runId()).isEqualTo(m.runId());
    assertThat(back.required().createdAt()).isEqualTo(CREATED);
    assertThat(back.numDbs()).isEqualTo(4);
    assertThat(back.keyEncoding()).isEqualTo(KeyEncoding.U64BE);
    assertThat(back.shardingSpec()).isEqualTo(m.shardingSpec());
    assertThat(back.shards()).extracting(ShardMeta::dbId).containsExactly(0, 2);
    assertThat(back.shard(0).orElseThrow().files()).isEqualTo(m.shard(0).orElseThrow().files());
    assertThat(back.shard(0).orElseThrow().writerInfo())
        .isEqualTo(m.shard(0).orElseThrow().writerInfo());
    assertThat(back.shard(1)).isEmpty();
    assertThat(back.totalRows()).isEqualTo(1207);
    assertThat(back.totalBytes()).isEqualTo(m.totalBytes());
    assertThat(back.custom()).containsEntry("owner", "team-x")
        .containsEntry("tags", List.of("daily", "eu"));
    // JSON numbers come back as the narrowest Java type, so compare the re-serialized form.
    assertThat(new String(ManifestFormats.JSON.encode(back), StandardCharsets.UTF_8))
        .isEqualTo(new String(json, StandardCharsets.UTF_8));
  }

  @Test
  void optionalShardFieldsMayBeOmitted() {
    // The writer omits null optional fields; the reader must accept its own output.
    Manifest m = realisticManifest();
    ShardMeta bare = new ShardMeta(1, "file:///snap/shards/db=00001/attempt=0", null, 3, 10,
        null, null, List.of(new ShardFile("000001.sst", 10, "deadbeef")), null, null);
    Manifest withBare = new Manifest(m.required(), List.of(m.shards().get(0), bare), Map.of());
    byte[] json = ManifestFormats.JSON.encode(withBare);
    assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("\"min_key\" : null");
    assertValidManifest(json);
    ShardMeta back = ManifestFormats.decode(json, SOURCE).shard(1).orElseThrow();
    assertThat(back).isEqualTo(bare);
  }

  @Test
  void serializedManifestsValidateAgainstTheSchema() {
    assertValidManifest(ManifestFormats.JSON.encode(realisticManifest()));
    for (ShardingSpec spec : List.of(ShardingSpec.hash(),
        ShardingSpec.cel("key", List.of(new byte[] {1}, new byte[] {2})),
        ShardingSpec.cel("double(key)", List.of(0.5, 1.5)),
        ShardingSpec.cel("shard_hash(key) % 8u"))) {
      Manifest m = withSharding(realisticManifest(), spec);
      byte[] json = ManifestFormats.JSON.encode(m);
      assertValidManifest(json);
      assertThat(ManifestFormats.decode(json, SOURCE).shardingSpec()).isEqualTo(spec);
    }
  }

  @Test
  void schemaRejectsWhatItDescribes() throws Exception {
    ObjectNode badCrc = tree(realisticManifest());
    ((ObjectNode) badCrc.at("/shards/0/files/0")).put("crc32c", "0A1B2C3D");
    assertThat(manifestSchemaErrors(bytes(badCrc))).anySatisfy(
        e -> assertThat(e).contains("crc32c").contains("pattern"));
    ObjectNode noRunId = tree(realisticManifest());
    ((ObjectNode) noRunId.get("required")).remove("run_id");
    assertThat(manifestSchemaErrors(bytes(noRunId))).anySatisfy(
        e -> assertThat(e).contains("run_id"));
    ObjectNode badDate = tree(realisticManifest());
    ((ObjectNode) badDate.get("required")).put("created_at", "yesterday");
    assertThat(manifestSchemaErrors(bytes(badDate))).anySatisfy(
        e -> assertThat(e).contains("created_at"));
    ObjectNode hashWithExpr = tree(withSharding(realisticManifest(), ShardingSpec.hash()));
    ((ObjectNode) hashWithExpr.at("/required/sharding")).put("cel_expr", "key");
    assertThat(manifestSchemaErrors(bytes(hashWithExpr))).anySatisfy(
        e -> assertThat(e).contains("cel_expr"));
    assertThatThrownBy(() -> assertValidManifest(bytes(badCrc)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("crc32c");
  }

  @Test
  void schemasAreLoadableText() {
    assertThat(ManifestSchemas.manifestSchema()).contains("\"$schema\"")
        .contains("https://json-schema.org/draft/2020-12/schema").contains("^[0-9a-f]{8}$");
    assertThat(ManifestSchemas.currentPointerSchema()).contains("manifest_ref");
  }

  // ---- malformed manifests: ManifestParseException naming the field

  private static void assertRejected(Consumer<ObjectNode> mutation, String... fragments)
      throws Exception {
    ObjectNode node = tree(realisticManifest());
    mutation.accept(node);
    byte[] json = bytes(node);
    assertThatThrownBy(() -> ManifestFormats.decode(json, SOURCE))
        .isInstanceOf(ManifestParseException.class)
        .hasMessageContaining(SOURCE)
        .satisfies(e -> {
          for (String f : fragments) {
            assertThat(e.getMessage()).contains(f);
          }
        });
  }

  private static ObjectNode required(ObjectNode root) {
    return (ObjectNode) root.get("required");
  }

  private static ObjectNode shard(ObjectNode root, int i) {
    return (ObjectNode) root.get("shards").get(i);
  }

  @Test
  void notJson() {
    assertThatThrownBy(() -> ManifestFormats.decode(
        "{\"required\": ".getBytes(StandardCharsets.UTF_8), SOURCE))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void empty() {
    assertThatThrownBy(() -> ManifestFormats.decode(new byte[0], SOURCE))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining("manifest is empty");
    assertThatThrownBy(() -> ManifestFormats.decode(
        "null".getBytes(StandardCharsets.UTF_8), SOURCE))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining("JSON null");
  }

  @Test
  void missingRequiredField() throws Exception {
    assertRejected(n -> required(n).remove("run_id"), "run_id");
    assertRejected(n -> required(n).remove("num_dbs"), "num_dbs");
    assertRejected(n -> n.remove("required"), "required");
    assertRejected(n -> ((ObjectNode) shard(n, 0).get("files").get(0)).remove("crc32c"),
        "crc32c");
  }

  @Test
  void numDbsZero() throws Exception {
    assertRejected(n -> required(n).put("num_dbs", 0), "required.num_dbs must be > 0, got 0");
  }

  @Test
  void duplicateDbId() throws Exception {
    assertRejected(n -> shard(n, 1).put("db_id", 0), "shards[1].db_id 0 is listed twice");
  }

  @Test
  void dbIdOutOfRange() throws Exception {
    assertRejected(n -> shard(n, 1).put("db_id", 4), "shards[1].db_id 4 is outside 0..3");
    assertRejected(n -> shard(n, 0).put("db_id", -1), "shards[0].db_id -1");
  }

  @Test
  void badCrc() throws Exception {
    assertRejected(n -> ((ObjectNode) shard(n, 0).get("files").get(1)).put("crc32c", "xyz"),
        "shards[0]", "MANIFEST-000005", "crc32c 'xyz'");
  }

  @Test
  void dbBytesMismatch() throws Exception {
    assertRejected(n -> shard(n, 1).put("db_bytes", 101),
        "shards[1].db_bytes 101 does not equal the sum of its file sizes 100");
  }

  @Test
  void unsupportedFormatVersion() throws Exception {
    assertRejected(n -> required(n).put("format_version", 2), "required.format_version 2",
        "not supported");
  }

  @Test
  void unknownKeyEncoding() throws Exception {
    assertRejected(n -> required(n).put("key_encoding", "u16be"), "key_encoding", "'u16be'");
  }

  @Test
  void invalidSharding() throws Exception {
    assertRejected(n -> ((ObjectNode) required(n).get("sharding")).put("strategy", "range"),
        "required.sharding", "'range'");
    assertRejected(n -> ((ObjectNode) required(n).get("sharding")).putNull("cel_expr"),
        "required.sharding", "celExpr");
    assertRejected(n -> ((ObjectNode) required(n).get("sharding")).set("boundaries",
        ((ArrayNode) ManifestCodec.mapper().createArrayNode()).add(5).add(1)),
        "required.sharding", "strictly increasing");
  }

  @Test
  void keysThatDoNotFitTheEncoding() throws Exception {
    assertRejected(n -> shard(n, 0).put("min_key", "abc"), "shards[0] min_key/max_key",
        "u64be");
  }

  // ---- _CURRENT

  @Test
  void currentPointerRoundTripsAndValidates() {
    CurrentPointer p = new CurrentPointer("s3://bucket/snap/manifests/2024_run_id=r1/manifest",
        ManifestCodec.JSON_CONTENT_TYPE, "r1", CREATED, CurrentPointer.FORMAT_VERSION);
    byte[] json = ManifestCodec.toJson(p);
    assertValidCurrentPointer(json);
    assertThat(ManifestCodec.parseCurrent(json, SOURCE)).isEqualTo(p);
  }

  @Test
  void malformedCurrentPointer() throws Exception {
    CurrentPointer p = new CurrentPointer("", ManifestCodec.JSON_CONTENT_TYPE, "r1", CREATED, 1);
    byte[] json = ManifestCodec.toJson(p);
    assertThatThrownBy(() -> ManifestCodec.parseCurrent(json, SOURCE))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining("manifest_ref");
    assertThat(currentPointerSchemaErrors(json)).anySatisfy(
        e -> assertThat(e).contains("manifest_ref"));
    byte[] v2 = ManifestCodec.toJson(new CurrentPointer("m", "application/json", "r1", CREATED, 2));
    assertThatThrownBy(() -> ManifestCodec.parseCurrent(v2, SOURCE))
        .isInstanceOf(ManifestParseException.class).hasMessageContaining("format_version 2");
    assertThat(currentPointerSchemaErrors(v2)).isNotEmpty();
  }

  private static Manifest withSharding(Manifest m, ShardingSpec spec) {
    BuildMeta r = m.required();
    int numDbs = spec.impliedNumDbs() > 0 ? spec.impliedNumDbs() : r.numDbs();
    BuildMeta nr = new BuildMeta(r.runId(), r.createdAt(), numDbs, r.s3Prefix(), r.keyCol(),
        ShardingMeta.of(spec), r.dbPathTemplate(), r.shardPrefix(), r.formatVersion(),
        r.keyEncoding(), r.shardFormat());
    List<ShardMeta> shards = m.shards().stream().filter(s -> s.dbId() < numDbs).toList();
    return new Manifest(nr, shards, m.custom());
  }

  // ---- manifest formats

  @Test
  void bytesOfNoKnownFormatAreRefusedNamingTheFormatsKnown() {
    byte[] sqlite = "SQLite format 3\0\u0010\u0000".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> ManifestFormats.decode(sqlite, SOURCE))
        .isInstanceOf(ManifestParseException.class)
        .hasMessageContaining(SOURCE)
        .hasMessageContaining("not a manifest in any format this reader knows ([json])")
        .hasMessageContaining("'SQLite format 3\\x00")
        .satisfies(e -> assertThat(((ManifestParseException) e).retryable()).isFalse());
  }

  @Test
  void anUnknownShardingFieldIsAnErrorNotIgnored() throws Exception {
    assertRejected(n -> ((ObjectNode) required(n).get("sharding")).put("routing_values", "[1]"),
        "required.sharding has field(s) [routing_values]", "upgrade shardyfusion");
  }

  @Test
  void unknownFieldsOutsideShardingAreTolerated() throws Exception {
    ObjectNode node = tree(realisticManifest());
    required(node).put("added_by_a_newer_writer", 1);
    assertThat(ManifestFormats.decode(bytes(node), SOURCE).runId())
        .isEqualTo(realisticManifest().runId());
  }

  @Test
  void aBackendNameOfTheWrongShapeIsRefused() throws Exception {
    assertRejected(n -> required(n).put("shard_format", "Rocks DB"),
        "required.shard_format 'Rocks DB' is not a backend name");
  }

  @Test
  void formatsAreChosenByName() {
    assertThat(ManifestFormats.forName("json")).isSameAs(ManifestFormats.JSON);
    assertThat(ManifestFormats.JSON.contentType()).isEqualTo("application/json");
    assertThatThrownBy(() -> ManifestFormats.forName("xml"))
        .isInstanceOf(io.shardyfusion.errors.ConfigValidationException.class)
        .hasMessageContaining("manifest format 'xml' is not known; use one of [json]");
  }
}
