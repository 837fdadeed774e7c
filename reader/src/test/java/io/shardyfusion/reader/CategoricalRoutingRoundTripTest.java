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
}
