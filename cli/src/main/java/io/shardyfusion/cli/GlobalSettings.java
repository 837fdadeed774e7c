package io.shardyfusion.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * The global options of one {@code shardy} invocation (see {@link ShardyCli}).
 *
 * @param currentUrl null = {@code $SHARDY_CURRENT}
 * @param outputFormat null = table on a terminal, jsonl otherwise
 * @param ref pin reads to this manifest (null = follow {@code _CURRENT})
 * @param offset pin reads to the manifest this many before the current one (null = none)
 * @param cacheDir null = a temporary directory removed at exit
 * @param config the reader.toml read (its values already merged into the fields above, the
 *     command line winning); {@link ReaderToml#NONE} when there is none
 */
public record GlobalSettings(String currentUrl, List<String> s3Options, Path credentialsFile,
    String profile, OutputFormat outputFormat, String ref, Integer offset, Path cacheDir,
    boolean verbose, ReaderToml config) {

  public GlobalSettings {
    s3Options = s3Options == null ? List.of() : List.copyOf(s3Options);
    config = config == null ? ReaderToml.NONE : config;
  }

  public GlobalSettings(String currentUrl, List<String> s3Options, Path credentialsFile,
      String profile, OutputFormat outputFormat, String ref, Integer offset, Path cacheDir,
      boolean verbose) {
    this(currentUrl, s3Options, credentialsFile, profile, outputFormat, ref, offset, cacheDir,
        verbose, ReaderToml.NONE);
  }

  /** Whether reads are pinned to one manifest instead of {@code _CURRENT}. */
  public boolean pinned() {
    return ref != null || offset != null;
  }
}
