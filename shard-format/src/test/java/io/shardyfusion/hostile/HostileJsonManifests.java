package io.shardyfusion.hostile;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardyfusion.manifest.BuildMeta;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.ManifestCodec;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.manifest.ShardFile;
import io.shardyfusion.manifest.ShardMeta;
import io.shardyfusion.manifest.ShardingMeta;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardingSpec;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The hostile JSON manifests (format_version 1), generated from one valid manifest by a named
 * mutation each. Every case names the text its error must contain. Literal byte files
 * (truncated, binary, ...) live under {@code src/test/resources/hostile/json/}.
 */
public final class HostileJsonManifests {
  public static final String PREFIX = "s3://bucket/snapshots/users";
  static final String RUN = "20240601T123456Z-a1b2";

  /** One hostile input: its category, its name, its bytes, a fragment of the expected error. */
  public record Case(String category, String name, byte[] bytes, String expected) {
    @Override
    public String toString() {
      return category + "/" + name;
    }
  }

  private HostileJsonManifests() {}

  public static Manifest valid() {
    BuildMeta required = new BuildMeta(RUN, Instant.parse("2024-06-01T12:34:56.789Z"), 4,
        PREFIX, "user_id", ShardingMeta.of(ShardingSpec.hash()), BuildMeta.DB_PATH_TEMPLATE,
        "shards", BuildMeta.FORMAT_VERSION, KeyEncoding.U64BE.wireName(), "rocksdb");
    List<ShardMeta> shards = new ArrayList<>();
    for (int db : new int[] {0, 2}) {
      shards.add(new ShardMeta(db, PREFIX + "/shards/run_id=" + RUN + "/db=0000" + db
          + "/attempt=a0", "a0", 10, 4096 + 16, 3L, 99L,
          List.of(new ShardFile("000012.sst", 4096, "0a1b2c3d"),
              new ShardFile("CURRENT", 16, "00000000")), null, null));
    }
    return new Manifest(required, shards, Map.of("owner", "team-x"));
  }

  /** {@link #valid()} routed by {@code spec}, with num_dbs as the spec implies. */
  public static Manifest withSharding(ShardingSpec spec) {
    Manifest m = valid();
    BuildMeta r = m.required();
    int numDbs = spec.impliedNumDbs() > 0 ? spec.impliedNumDbs() : r.numDbs();
    return new Manifest(new BuildMeta(r.runId(), r.createdAt(), numDbs, r.s3Prefix(),
        r.keyCol(), ShardingMeta.of(spec), r.dbPathTemplate(), r.shardPrefix(),
        r.formatVersion(), r.keyEncoding(), r.shardFormat()), m.shards(), m.custom());
  }

  public static ObjectNode validTree() {
    try {
      return (ObjectNode) ManifestCodec.mapper().readTree(ManifestFormats.JSON.encode(valid()));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static final List<Case> CASES = new ArrayList<>();

  private static void add(String category, String name, Consumer<ObjectNode> mutation,
      String expected) {
    ObjectNode root = validTree();
    mutation.accept(root);
    try {
      CASES.add(new Case(category, name, ManifestCodec.mapper().writeValueAsBytes(root),
          expected));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ObjectNode req(ObjectNode root) {
    return (ObjectNode) root.get("required");
  }

  private static ObjectNode shard(ObjectNode root, int i) {
    return (ObjectNode) root.get("shards").get(i);
  }

  private static ObjectNode file(ObjectNode root, int i) {
    return (ObjectNode) shard(root, 0).get("files").get(i);
  }

  private static ObjectNode sharding(ObjectNode root) {
    return (ObjectNode) req(root).get("sharding");
  }

  private static String url(String tail) {
    return PREFIX + "/shards/run_id=" + RUN + tail;
  }

  static {
    // ---- db ids
    add("ids", "db_id-out-of-range", r -> shard(r, 1).put("db_id", 4), "outside 0..3");
    add("ids", "db_id-negative", r -> shard(r, 0).put("db_id", -1), "outside 0..3");
    add("ids", "db_id-repeated", r -> shard(r, 1).put("db_id", 0), "listed twice");
    add("ids", "db_id-above-int", r -> shard(r, 0).put("db_id", 1L << 31), "db_id");
    add("ids", "db_id-missing", r -> shard(r, 0).remove("db_id"), "db_id");
    add("ids", "db_id-text", r -> shard(r, 0).put("db_id", "zero"), "db_id");
    // ---- counts and sizes
    add("counts", "num_dbs-max-int", r -> req(r).put("num_dbs", Integer.MAX_VALUE),
        "outside 1..1048576");
    add("counts", "num_dbs-zero", r -> req(r).put("num_dbs", 0), "num_dbs");
    add("counts", "num_dbs-negative", r -> req(r).put("num_dbs", -4), "num_dbs");
    add("counts", "num_dbs-above-int", r -> req(r).put("num_dbs", 1L << 32), "num_dbs");
    add("counts", "num_dbs-1e1000", r -> req(r).put("num_dbs",
        new BigInteger("1" + "0".repeat(1000))), "Number length");
    add("counts", "more-shards-than-num_dbs", r -> req(r).put("num_dbs", 1), "at most num_dbs shards");
    add("counts", "row_count-negative", r -> shard(r, 0).put("row_count", -10), "row_count");
    add("counts", "db_bytes-negative", r -> shard(r, 0).put("db_bytes", -1), "db_bytes");
    add("counts", "file-size-negative", r -> file(r, 0).put("size", -4096), "negative size");
    add("counts", "file-sizes-overflow", r -> {
      file(r, 0).put("size", Long.MAX_VALUE);
      file(r, 1).put("size", 2);
      shard(r, 0).put("db_bytes", Long.MIN_VALUE + 1);
    }, "db_bytes");
    add("counts", "db_bytes-not-sum", r -> shard(r, 0).put("db_bytes", 1), "sum of its file");
    add("counts", "file-claims-3GiB", r -> {
      file(r, 0).put("size", 3L << 30);
      shard(r, 0).put("db_bytes", (3L << 30) + 16);
    }, null); // valid: sizes above 2 GiB are legal; the download checks them
    add("counts", "no-files", r -> shard(r, 0).putArray("files"), "files is empty");
    add("counts", "too-many-files", r -> {
      ArrayNode files = shard(r, 0).putArray("files");
      for (int i = 0; i < 10_001; i++) {
        files.addObject().put("name", "f" + i).put("size", 0).put("crc32c", "00000000");
      }
      shard(r, 0).put("db_bytes", 0);
    }, "more than 10000");
    // ---- locations
    add("paths", "db_url-dotdot", r -> shard(r, 0).put("db_url",
        url("/../../../../etc")), "'..' path segment");
    add("paths", "db_url-dot", r -> shard(r, 0).put("db_url", url("/./db=00000")),
        "'.' path segment");
    add("paths", "db_url-encoded-dotdot", r -> shard(r, 0).put("db_url",
        url("/%2e%2e/%2E%2e/x")), "'%2e%2e' path segment");
    add("paths", "db_url-empty-segment", r -> shard(r, 0).put("db_url",
        PREFIX + "//etc/passwd"), "empty path segment");
    add("paths", "db_url-absolute-path", r -> shard(r, 0).put("db_url", "/etc/passwd"),
        "no scheme");
    add("paths", "db_url-nul", r -> shard(r, 0).put("db_url", url("/db=0\u0000/x")),
        "control character \\x00");
    add("paths", "db_url-newline", r -> shard(r, 0).put("db_url", url("/db=0\n")),
        "control character \\x0a");
    add("paths", "db_url-backslash", r -> shard(r, 0).put("db_url", url("\\..\\..")),
        "backslash");
    add("paths", "db_url-blank", r -> shard(r, 0).put("db_url", " "), "db_url");
    add("paths", "db_url-too-long", r -> shard(r, 0).put("db_url", url("/" + "a".repeat(3000))),
        "characters long");
    add("paths", "file-dotdot", r -> file(r, 0).put("name", ".."), "invalid name");
    add("paths", "file-dotdot-slash", r -> file(r, 0).put("name", "../../etc/passwd"),
        "invalid name");
    add("paths", "file-absolute", r -> file(r, 0).put("name", "/etc/passwd"), "invalid name");
    add("paths", "file-encoded-dotdot", r -> file(r, 0).put("name", "%2e%2e"), "invalid name");
    add("paths", "file-backslash", r -> file(r, 0).put("name", "..\\..\\x"), "invalid name");
    add("paths", "file-nul", r -> file(r, 0).put("name", "CURRENT\u0000.sst"), "invalid name");
    add("paths", "file-empty", r -> file(r, 0).put("name", ""), "without a name");
    add("paths", "file-too-long", r -> file(r, 0).put("name", "x".repeat(256)),
        "more than 255");
    // ---- types and fields
    add("types", "num_dbs-text", r -> req(r).put("num_dbs", "four"), "num_dbs");
    add("types", "shards-not-array", r -> r.put("shards", "all"), "shards");
    add("types", "shard-is-string", r -> ((ArrayNode) r.get("shards")).set(0,
        JsonNodeFactory.instance.textNode("s0")), "shards");
    add("types", "shard-null", r -> ((ArrayNode) r.get("shards")).set(0,
        JsonNodeFactory.instance.nullNode()), "Cannot construct");
    add("types", "files-null", r -> shard(r, 0).putNull("files"), "files is empty");
    add("types", "file-crc-not-hex", r -> file(r, 0).put("crc32c", "zzzzzzzz"), "crc32c");
    add("types", "required-missing", r -> r.remove("required"), "required");
    add("types", "required-array", r -> r.putArray("required"), "required");
    add("types", "key_encoding-unknown", r -> req(r).put("key_encoding", "u128"),
        "key_encoding");
    add("types", "min_key-object", r -> shard(r, 0).putObject("min_key").put("a", 1),
        "min_key");
    add("types", "min_key-text-for-u64", r -> shard(r, 0).put("min_key", "abc"), "min_key");
    add("types", "min_key-negative", r -> shard(r, 0).put("min_key", -5), "min_key");
    add("types", "created_at-garbage", r -> req(r).put("created_at", "yesterday"),
        "created_at");
    add("types", "format_version-future", r -> req(r).put("format_version", 99),
        "format_version 99");
    add("types", "shard_format-path", r -> req(r).put("shard_format", "../rocksdb"),
        "shard_format");
    add("types", "run_id-blank", r -> req(r).put("run_id", ""), "run_id");
    // ---- sharding
    add("sharding", "strategy-number", r -> sharding(r).put("strategy", 42), "strategy");
    add("sharding", "strategy-unknown", r -> sharding(r).put("strategy", "range"), "strategy");
    add("sharding", "hash_algorithm-unknown", r -> sharding(r).put("hash_algorithm", "md5"),
        "hash_algorithm");
    add("sharding", "unknown-field", r -> sharding(r).put("salt", 7), "does not understand");
    add("sharding", "boundaries-bad-base64", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "key");
      sharding(r).putArray("boundaries").addObject().put("base64", "!!not base64!!");
    }, "base64");
    add("sharding", "boundaries-above-long", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "key");
      sharding(r).putArray("boundaries").add(new BigInteger("1" + "0".repeat(30)));
      req(r).put("num_dbs", 2);
      ((ArrayNode) r.get("shards")).remove(1);
    }, "boundar");
    add("sharding", "boundaries-count-mismatch", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "key");
      sharding(r).putArray("boundaries").add(10).add(20);
    }, "boundaries");
    add("sharding", "boundaries-null-element", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "key");
      sharding(r).putArray("boundaries").addNull().addNull().addNull();
    }, "boundar");
    add("sharding", "routing_values-duplicates", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "string(key)");
      sharding(r).putArray("routing_values").add("a").add("b").add("a").add("c");
    }, "same token");
    add("sharding", "routing_values-count-mismatch", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "string(key)");
      sharding(r).putArray("routing_values").add("a").add("b").add("c");
    }, "routing values");
    add("sharding", "routing_values-above-long", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "key");
      ArrayNode values = sharding(r).putArray("routing_values");
      values.add(1).add(2).add(3).add(new BigInteger("9" + "0".repeat(25)));
    }, "routing value");
    add("sharding", "routing_values-nested", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "key");
      ArrayNode values = sharding(r).putArray("routing_values");
      values.add(1).add(2).add(3).addArray().add(4);
    }, "routing value");
    add("sharding", "routing_values-empty", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "key");
      sharding(r).putArray("routing_values");
    }, "routing");
    add("sharding", "cel_columns-type-object", r -> {
      sharding(r).put("strategy", "cel").put("cel_expr", "shard_hash(region) % 4u");
      sharding(r).putObject("cel_columns").putObject("region").put("t", "string");
    }, "cel_columns");
  }

  /** Every generated case. */
  public static List<Case> cases() {
    return List.copyOf(CASES);
  }
}
