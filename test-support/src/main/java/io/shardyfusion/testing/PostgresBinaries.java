package io.shardyfusion.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds the PostgreSQL server programs ({@code initdb}, {@code pg_ctl}, {@code postgres}). The
 * search is the same as {@code bin/test}'s, so the script installs the server exactly when the
 * tests would not find one:
 *
 * <ol>
 *   <li>the directory in the environment variable {@value #BINDIR_ENV};
 *   <li>the newest {@code /usr/lib/postgresql/<major>/bin} (Debian's layout);
 *   <li>{@code pg_config --bindir}.
 * </ol>
 *
 * <pre>{@code
 * Path bin = PostgresBinaries.find();   // throws with the install hint if there is none
 * }</pre>
 */
public final class PostgresBinaries {
  /** Environment variable naming a directory that holds {@code initdb} and {@code pg_ctl}. */
  public static final String BINDIR_ENV = "SHARDY_PG_BINDIR";

  private static final Path DEBIAN_ROOT = Paths.get("/usr/lib/postgresql");

  private PostgresBinaries() {}

  /**
   * The directory holding the server programs.
   *
   * @throws IllegalStateException naming what was searched and how to install the server
   */
  public static Path find() {
    String env = System.getenv(BINDIR_ENV);
    if (env != null && !env.isBlank()) {
      Path dir = Paths.get(env);
      if (!hasServer(dir)) {
        throw new IllegalStateException(BINDIR_ENV + "=" + env + " does not contain initdb, "
            + "pg_ctl and postgres; point it at a PostgreSQL server's bin directory or unset it");
      }
      return dir;
    }
    return debianNewest().or(PostgresBinaries::fromPgConfig)
        .orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries found (looked "
            + "in $" + BINDIR_ENV + ", " + DEBIAN_ROOT + "/*/bin and `pg_config --bindir`). The "
            + "PostgreSQL tests start a private server: run the tests with `bin/test` (it installs "
            + "the server), or `apt-get install -y postgresql`, or set " + BINDIR_ENV + "."));
  }

  static boolean hasServer(Path dir) {
    return Stream.of("initdb", "pg_ctl", "postgres")
        .allMatch(name -> Files.isExecutable(dir.resolve(name)));
  }

  private static Optional<Path> debianNewest() {
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      List<Path> dirs = versions
          .filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .sorted(Comparator.comparingDouble(
              (Path p) -> Double.parseDouble(p.getFileName().toString())).reversed())
          .map(p -> p.resolve("bin"))
          .filter(PostgresBinaries::hasServer)
          .toList();
      return dirs.stream().findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> fromPgConfig() {
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
        return Optional.empty();
      }
      Path dir = Paths.get(out);
      return hasServer(dir) ? Optional.of(dir) : Optional.empty();
    } catch (IOException e) {
      // No pg_config on the PATH.
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
