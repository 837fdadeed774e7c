package io.shardyfusion.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finding and reading the CLI's TOML files (reader.toml, credentials.toml) the Python CLI's way:
 * the flag, else the environment variables, else {@code ./NAME}, else
 * {@code ~/.config/shardy/NAME}.
 */
final class TomlFiles {
  private TomlFiles() {}

  /**
   * The file to use, or null when there is none.
   *
   * @throws UsageException when a file named explicitly (flag or environment) does not exist
   */
  static Path locate(Path explicit, String flag, List<String> envs, String name, CliContext ctx) {
    if (explicit != null) {
      return mustExist(explicit, flag);
    }
    for (String env : envs) {
      String fromEnv = ctx.env(env);
      if (fromEnv != null) {
        return mustExist(Path.of(fromEnv), "$" + env);
      }
    }
    for (Path p : List.of(Path.of(name), ctx.home().resolve(".config/shardy").resolve(name))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  private static Path mustExist(Path p, String from) {
    if (!Files.isRegularFile(p)) {
      throw new UsageException(from + " " + p + " does not exist or is not a file");
    }
    return p;
  }

  /**
   * @param what "config file", "credentials file"
   * @throws UsageException for unreadable or malformed TOML (with the line)
   */
  static JsonNode read(Path file, String what) {
    try {
      return new TomlMapper().readTree(file.toFile());
    } catch (JacksonException e) {
      var at = e.getLocation();
      throw new UsageException(what + " " + file + " is not valid TOML"
          + (at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ")") + ": "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UsageException("cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }
}
