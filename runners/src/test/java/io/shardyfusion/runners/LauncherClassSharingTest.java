package io.shardyfusion.runners;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.testing.IntegrationTest;
import io.shardyfusion.testing.ShardyLauncher;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/shardy-cds} and {@code bin/shardy build} as users run them: the script writes a
 * class archive with a demo run, and a later build loads Beam's classes from it (the JVM's
 * class-loading log names the source of each class), publishing a snapshot that reads back;
 * {@code SHARDY_CDS=off} loads them from their jars again. Without the script, the first build
 * writes the archive (replacing one older than the jars) and the next starts from it; a failed
 * build leaves none, nor does a Java runtime that has no base archive to extend; an archive
 * another JDK wrote is written again.
 */
@IntegrationTest
class LauncherClassSharingTest {
  private static final Pattern PIPELINE_CLASS_SOURCE =
      Pattern.compile("org\\.apache\\.beam\\.sdk\\.Pipeline source: (.*)");

  @TempDir Path tmp;

  @Test
  void aBuildAfterShardyCdsLoadsBeamFromTheArchiveAndOffLoadsItFromJars() throws Exception {
    Path archives = tmp.resolve("cds");
    Path log = tmp.resolve("shardy-cds.log");
    ProcessBuilder pb = new ProcessBuilder(
        ShardyLauncher.root().resolve("bin/shardy-cds").toString(), "direct")
        .directory(ShardyLauncher.root().toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("SHARDY_CDS_DIR", archives.toString());
    Process cds = pb.start();
    assertThat(cds.waitFor()).as(Files.readString(log)).isZero();
    assertThat(archives.resolve("shardy-direct.jsa")).as("the archive").isNotEmptyFile();

    Path in = twoRows();
    String shared = pipelineClassSource(build(archives, in, "on", "out-on"));
    String off = pipelineClassSource(build(archives, in, "off", "out-off"));

    assertThat(shared).isEqualTo("shared objects file (top)");
    assertThat(off).startsWith("file:").contains("beam-sdks-java-core");
    assertThat(valueOf("out-on", 2L)).isEqualTo("two");
  }

  @Test
  void theFirstBuildReplacesAnArchiveOlderThanTheJarsAndTheNextStartsFromIt() throws Exception {
    Path archives = tmp.resolve("cds");
    Path archive = archives.resolve("shardy-direct.jsa");
    Files.createDirectories(archives);
    // What a rebuild leaves: an archive older than the jars, which the JVM would skip.
    Files.writeString(archive, "an archive of older jars");
    Files.setLastModifiedTime(archive, FileTime.fromMillis(0));
    Path in = twoRows();

    String first = pipelineClassSource(build(archives, in, "on", "out-1"));
    assertThat(first).startsWith("file:").contains("beam-sdks-java-core");
    assertThat(Files.size(archive)).as("the archive the first build wrote")
        .isGreaterThan(1 << 20);
    String second = pipelineClassSource(build(archives, in, "on", "out-2"));
    assertThat(second).isEqualTo("shared objects file (top)");
    try (Stream<Path> files = Files.list(archives)) {
      assertThat(files).as("no archive being written is left")
          .containsExactlyInAnyOrder(archive, archives.resolve("shardy-direct.jsa.jdk"));
    }
  }

  @Test
  void aFailedFirstBuildLeavesNoArchive() throws Exception {
    Path archives = tmp.resolve("cds");
    ShardyLauncher.Run r = ShardyLauncher.run(tmp, Map.of("SHARDY_CDS_DIR", archives.toString()),
        "build", "--input=" + tmp.resolve("missing.jsonl"), "--key-field=id",
        "--value-field=v", "--num-dbs=2", "--output=" + tmp.resolve("out").toUri());
    assertThat(r.code()).as(r.err()).isNotZero();
    assertThat(r.err()).contains("missing.jsonl");
    try (Stream<Path> files = Files.list(archives)) {
      assertThat(files).as("the archive directory").isEmpty();
    }
  }

  @Test
  void aJavaRuntimeWithoutItsBaseArchiveBuildsWithoutWritingOne() throws Exception {
    // A copy of this JDK without lib/server/classes*.jsa, as some runtimes ship (jlink without
    // --generate-cds-archive): there -XX:ArchiveClassesAtExit stops the JVM at start.
    Path jdk = copyJavaHome(tmp.resolve("jdk"), false);
    Path archives = tmp.resolve("cds");
    build(Map.of("SHARDY_CDS_DIR", archives.toString(), "JAVA", jdk.resolve("bin/java")
        .toString()), twoRows(), "out");
    assertThat(archives).as("the archive directory").doesNotExist();
    assertThat(valueOf("out", 1L)).isEqualTo("one");
  }

  @Test
  void anArchiveAnotherJdkWroteIsWrittenAgain() throws Exception {
    Path otherJdk = copyJavaHome(tmp.resolve("jdk"), true);
    Path archives = tmp.resolve("cds");
    Path in = twoRows();
    build(Map.of("SHARDY_CDS_DIR", archives.toString(), "JAVA", otherJdk.resolve("bin/java")
        .toString()), in, "out-other");
    Path jdkOfArchive = archives.resolve("shardy-direct.jsa.jdk");
    assertThat(Files.readString(jdkOfArchive)).contains(otherJdk.toString());

    // Another JDK's JVM would skip that archive without a word (this copy is identical and
    // would not): the launcher writes one for the java binary it runs.
    String first = pipelineClassSource(build(archives, in, "on", "out-1"));
    assertThat(first).startsWith("file:").contains("beam-sdks-java-core");
    assertThat(Files.readString(jdkOfArchive)).doesNotContain(otherJdk.toString());
    String second = pipelineClassSource(build(archives, in, "on", "out-2"));
    assertThat(second).isEqualTo("shared objects file (top)");
  }

  /**
   * This JDK, its links followed (the launcher finds its home from its real path), with or
   * without its base class archives (lib/server/*.jsa).
   */
  private static Path copyJavaHome(Path to, boolean withArchives) throws IOException {
    Path home = Path.of(System.getProperty("java.home")).toRealPath();
    try (Stream<Path> walk = Files.walk(home, FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(home.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (Files.exists(p)
            && (withArchives || !p.getFileName().toString().endsWith(".jsa"))) {
          // (a link to nothing, such as a missing src.zip, is left out)
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    assertThat(to.resolve("bin/java")).isExecutable();
    assertThat(to.resolve("lib/server/libjvm.so")).exists();
    return to;
  }

  private ShardyLauncher.Run build(Path archives, Path in, String cds, String out)
      throws Exception {
    return build(Map.of("SHARDY_CDS_DIR", archives.toString(), "SHARDY_CDS", cds,
        "SHARDY_JAVA_OPTS", "-Xlog:class+load=info"), in, out);
  }

  /** {@code bin/shardy build} of {@code in} into {@code out}, which must succeed. */
  private ShardyLauncher.Run build(Map<String, String> env, Path in, String out)
      throws Exception {
    ShardyLauncher.Run r = ShardyLauncher.run(tmp, env, "build", "--input=" + in,
        "--key-field=id", "--value-field=v", "--num-dbs=2",
        "--output=" + tmp.resolve(out).toUri(), "--temp-dir=" + tmp.resolve("build-" + out));
    assertThat(r.code()).as(r.err()).isZero();
    return r;
  }

  /** The value of {@code key} in the snapshot the build published under {@code out}. */
  private String valueOf(String out, long key) throws Exception {
    try (ShardedReader reader = ShardedReader.open(ReaderConfig.builder()
        .s3Prefix(tmp.resolve(out).toUri().toString()).localRoot(tmp.resolve("reader-" + out))
        .build())) {
      return new String(reader.get(key), StandardCharsets.UTF_8);
    }
  }

  private Path twoRows() throws IOException {
    Path in = tmp.resolve("in.jsonl");
    Files.writeString(in, "{\"id\": 1, \"v\": \"one\"}\n{\"id\": 2, \"v\": \"two\"}\n");
    return in;
  }

  private static String pipelineClassSource(ShardyLauncher.Run r) {
    Matcher m = PIPELINE_CLASS_SOURCE.matcher(r.out());
    assertThat(m.find()).as("the class-loading log names Pipeline's source").isTrue();
    return m.group(1).trim();
  }
}
