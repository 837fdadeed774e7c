package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollback} moves {@code _CURRENT} by each selector, and changes nothing on errors. */
@UsesS3Proxy
class RollbackCommandTest {
  @TempDir Path tmp;

  private CliRun cli(ThreeRunsOnS3 runs, String... args) {
    List<String> all = new ArrayList<>(runs.args());
    all.addAll(List.of(args));
    return CliRun.inProcess(tmp, Map.of(), "", all);
  }

  @Test
  void eachSelectorMovesCurrentAndAReaderFollowsOnRefresh(S3ProxyServer s3) {
    ThreeRunsOnS3 runs = ThreeRunsOnS3.publish(s3, tmp);
    try (ShardedReader reader = runs.reader(tmp.resolve("reader"))) {
      assertThat(str(reader.get(25L))).isEqualTo("r3:25");

      CliRun byOffset = cli(runs, "--output-format", "json", "rollback", "--offset", "1");
      assertThat(byOffset.code()).as(byOffset.toString()).isZero();
      JsonNode moved = byOffset.json();
      assertThat(moved.get("old_run_id").asText()).isEqualTo("r3");
      assertThat(moved.get("new_run_id").asText()).isEqualTo("r2");
      assertThat(moved.get("new_ref").asText()).isEqualTo(runs.ref(1));
      assertThat(runs.current().manifestRef()).isEqualTo(runs.ref(1));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(15L))).isEqualTo("r2:15");
      assertThat(reader.get(25L)).isNull();

      assertThat(cli(runs, "rollback", "--run-id", "r1").code()).isZero();
      assertThat(runs.current().runId()).isEqualTo("r1");
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(5L))).isEqualTo("r1:5");

      assertThat(cli(runs, "rollback", "--ref", runs.ref(2)).code()).isZero();
      assertThat(runs.current().manifestRef()).isEqualTo(runs.ref(2));
      assertThat(reader.refresh()).isTrue();
      assertThat(str(reader.get(25L))).isEqualTo("r3:25");

      CliRun again = cli(runs, "--output-format", "text", "rollback", "--run-id", "r3");
      assertThat(again.code()).isZero();
      assertThat(again.out()).startsWith("_CURRENT already pointed at r3");
    }
  }

  @Test
  void errorsChangeNothing(S3ProxyServer s3) {
    ThreeRunsOnS3 runs = ThreeRunsOnS3.publish(s3, tmp);
    String before = runs.current().manifestRef();

    CliRun none = cli(runs, "rollback");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).startsWith("shardy: error: ").contains("--ref");
    CliRun two = cli(runs, "rollback", "--offset", "1", "--run-id", "r1");
    assertThat(two.code()).isEqualTo(2);
    assertThat(two.err()).contains("mutually exclusive");
    CliRun negative = cli(runs, "rollback", "--offset", "-1");
    assertThat(negative.code()).isEqualTo(2);
    CliRun pinned = cli(runs, "--offset", "1", "rollback", "--offset", "1");
    assertThat(pinned.code()).isEqualTo(2);

    CliRun unknownRun = cli(runs, "rollback", "--run-id", "r9");
    assertThat(unknownRun.code()).isEqualTo(1);
    assertThat(unknownRun.err()).contains("no manifest of run id 'r9'");
    CliRun beyond = cli(runs, "rollback", "--offset", "3");
    assertThat(beyond.code()).isEqualTo(1);
    assertThat(beyond.err()).contains("beyond history");
    CliRun unknownRef = cli(runs, "rollback", "--ref", runs.prefix + "/manifests/x/manifest");
    assertThat(unknownRef.code()).isEqualTo(1);
    CliRun foreignRef = cli(runs, "rollback", "--ref", "s3://elsewhere/m/manifest");
    assertThat(foreignRef.code()).isEqualTo(1);
    assertThat(foreignRef.out()).isEmpty();

    assertThat(runs.current().manifestRef()).isEqualTo(before);
  }

  private static String str(byte[] v) {
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }
}
