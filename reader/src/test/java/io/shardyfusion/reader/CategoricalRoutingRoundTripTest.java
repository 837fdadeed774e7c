package io.shardyfusion.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.UnknownRoutingValueException;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot sharded by region tokens: written in-process, read back, unknown tokens missing. */
class CategoricalRoutingRoundTripTest {
  private static final List<String> REGIONS = List.of("eu", "us", "apac");
  @TempDir Path tmp;

  record User(long id, String region) {}

  private WriteConfig config() {
    return WriteConfig.builder().s3Prefix(tmp.resolve("store").toUri().toString())
        .tempDir(tmp.resolve("build"))
        .sharding(ShardingSpec.celCategorical("region", Map.of("region", "string"), REGIONS))
        .build();
  }

  @Test
  void eachRegionIsItsShardAndAnUnknownRegionIsAMiss() {
    List<User> users = new ArrayList<>();
    for (long i = 0; i < 300; i++) {
      users.add(new User(i, REGIONS.get((int) (i % 3))));
    }
    BuildResult run = SnapshotWriter.writeSharded(users, config(), User::id,
        u -> ("v" + u.id()).getBytes(StandardCharsets.UTF_8), u -> Map.of("region", u.region()),
        WriteOptions.defaults());
    assertThat(run.winners()).hasSize(3).allMatch(s -> s.rowCount() == 100);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(config().s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.manifest().numDbs()).isEqualTo(3);
      assertThat(reader.get(4L, Map.of("region", "us"))).asString(StandardCharsets.UTF_8)
          .isEqualTo("v4");
      assertThat(reader.routeKey(5L, Map.of("region", "apac"))).isEqualTo(2);
      assertThat(reader.get(4L, Map.of("region", "eu"))).as("right key, wrong shard").isNull();
      assertThat(reader.get(4L, Map.of("region", "mars"))).as("unknown token: a miss").isNull();
      assertThat(reader.multiGet(List.of(0L, 3L), Map.of("region", "mars")))
          .containsEntry(0L, null).containsEntry(3L, null);
    }
  }

  @Test
  void aWriterMeetingAnUnknownTokenFailsNamingIt() {
    List<User> users = List.of(new User(1, "eu"), new User(2, "mars"));
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(users, config(), User::id,
        u -> new byte[] {1}, u -> Map.of("region", u.region()), WriteOptions.defaults()))
        .isInstanceOf(UnknownRoutingValueException.class)
        .hasMessageContaining("record #1")
        .hasMessageContaining("yielded token 'mars'");
  }

  @Test
  void inferredRoutingValuesAreTheDistinctTokensInPythonsOrder() {
    // Python sorts str by code point: "Ｊ" (U+FF2A) before "😀" (U+1F600), which Java's
    // String order would swap; "apac" < "eu" < "us" as ASCII.
    List<String> regions = List.of("us", "😀", "eu", "Ｊ", "apac");
    List<User> users = new ArrayList<>();
    for (long i = 0; i < 250; i++) {
      users.add(new User(i, regions.get((int) (i % regions.size()))));
    }
    WriteConfig infer = WriteConfig.builder().s3Prefix(tmp.resolve("inferred").toUri().toString())
        .tempDir(tmp.resolve("build"))
        .sharding(ShardingSpec.celColumns("region", Map.of("region", "string")))
        .inferRoutingValues(true).build();
    BuildResult run = SnapshotWriter.writeSharded(users, infer, User::id,
        u -> (u.region() + u.id()).getBytes(StandardCharsets.UTF_8),
        u -> Map.of("region", u.region()), WriteOptions.defaults().withParallel(true));
    assertThat(run.winners()).hasSize(5).allMatch(s -> s.rowCount() == 50);

    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(infer.s3Prefix()).localRoot(tmp.resolve("reader")).build())) {
      assertThat(reader.manifest().numDbs()).isEqualTo(5);
      assertThat(reader.manifest().shardingSpec().routingValues())
          .containsExactly("apac", "eu", "us", "Ｊ", "😀");
      for (User u : users) {
        assertThat(reader.get(u.id(), Map.of("region", u.region())))
            .asString(StandardCharsets.UTF_8).isEqualTo(u.region() + u.id());
      }
      assertThat(reader.routeKey(3L, Map.of("region", "😀"))).isEqualTo(4);
      assertThat(reader.get(1L, Map.of("region", "mars"))).as("not inferred: a miss").isNull();
    }
  }

  @Test
  void inferringFromRecordsOfMixedTokenTypesFailsAsInPython() {
    WriteConfig infer = WriteConfig.builder().s3Prefix(tmp.resolve("mixed").toUri().toString())
        .tempDir(tmp.resolve("build"))
        .sharding(ShardingSpec.celColumns("tier > 1 ? dyn(region) : dyn(tier)",
            Map.of("region", "string", "tier", "int")))
        .inferRoutingValues(true).build();
    List<User> users = List.of(new User(1, "eu"), new User(2, "us"));
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(users, infer, User::id,
        u -> new byte[] {1}, u -> Map.of("region", u.region(), "tier", u.id()),
        WriteOptions.defaults()))
        .isInstanceOf(io.shardyfusion.errors.ConfigValidationException.class)
        .hasMessageContaining("tokens of more than one type (int and string)");
  }
}
