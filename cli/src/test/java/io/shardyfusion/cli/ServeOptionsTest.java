package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** shardy serve's option errors: usage errors (exit 2) before anything is opened or bound. */
class ServeOptionsTest {
  @TempDir Path home;

  private CliRun serve(Map<String, String> env, String... args) {
    return CliRun.inProcess(home, env, "", List.of(args));
  }

  @Test
  void aSnapshotMustBeNameEqualsUrl() {
    CliRun r = serve(Map.of(), "serve", "--snapshot", "users");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--snapshot users: expected NAME=URL");
  }

  @Test
  void namesAreUnique() {
    CliRun r = serve(Map.of(), "serve", "--current-url", "file:///a/_CURRENT",
        "--snapshot", "default=file:///b/_CURRENT");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("already used by --current-url");
    CliRun twice = serve(Map.of(), "serve", "--snapshot", "a=file:///a/_CURRENT",
        "--snapshot", "a=file:///b/_CURRENT");
    assertThat(twice.code()).isEqualTo(2);
  }

  @Test
  void aSnapshotNameMustBeAPathSegment() {
    CliRun r = serve(Map.of(), "serve", "--snapshot", "_x=file:///a/_CURRENT");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("snapshot name '_x'");
  }

  @Test
  void noSnapshotIsAUsageError() {
    CliRun r = serve(Map.of(), "serve");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no snapshot to serve");
  }

  @Test
  void theRefreshTokenVariableMustBeSet() {
    CliRun r = serve(Map.of("EMPTY_TOKEN", " "), "serve", "--current-url",
        "file:///a/_CURRENT", "--refresh-token-env", "EMPTY_TOKEN");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--refresh-token-env EMPTY_TOKEN");
  }

  @Test
  void badValueFormatsAndPinsAreUsageErrors() {
    CliRun format = serve(Map.of(), "serve", "--current-url", "file:///a/_CURRENT",
        "--value-format", "xml");
    assertThat(format.code()).isEqualTo(2);
    assertThat(format.err()).contains("use raw, auto, utf8, base64 or hex");
    CliRun pinned = serve(Map.of(), "--offset", "1", "serve", "--current-url",
        "file:///a/_CURRENT");
    assertThat(pinned.code()).isEqualTo(2);
    assertThat(pinned.err()).contains("--ref/--offset");
    CliRun age = serve(Map.of(), "serve", "--current-url", "file:///a/_CURRENT",
        "--refresh-interval", "soon");
    assertThat(age.code()).isEqualTo(2);
  }
}
