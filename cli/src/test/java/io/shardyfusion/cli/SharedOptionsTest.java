package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared options may go before and after the command; none of them is lost. */
class SharedOptionsTest {
  @TempDir Path tmp;

  CliRun cli(String... args) {
    return CliRun.inProcess(tmp, Map.of(), "", List.of(args));
  }

  @Test
  void s3OptionsBeforeTheCommandSurviveOnesAfterIt() {
    String url = tmp.resolve("none/_CURRENT").toUri().toString();
    CliRun r = cli("--current-url", url, "--s3-option", "bogus=1", "info", "--s3-option",
        "region=eu-west-1");
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("unknown --s3-option 'bogus'");
    CliRun after = cli("--current-url", url, "--s3-option", "region=eu-west-1", "info",
        "--s3-option", "bogus=2");
    assertThat(after.err()).contains("unknown --s3-option 'bogus'");
  }

  @Test
  void buildAndDemoOnTheCliClasspathSayHowToRunThem() {
    CliRun help = cli("--help");
    assertThat(help.out()).contains("\n  build ").contains("\n  demo ");
    CliRun build = cli("build", "--input=x");
    assertThat(build.code()).isEqualTo(2);
    assertThat(build.err()).contains("'build' runs a Beam job").contains("bin/shardy build");
  }
}
