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
 */
public record GlobalSettings(String currentUrl, List<String> s3Options, Path credentialsFile,
    String profile, OutputFormat outputFormat, String ref, Integer offset, Path cacheDir,
    boolean verbose) {

  public GlobalSettings {
    s3Options = s3Options == null ? List.of() : List.copyOf(s3Options);
  }

  /** Whether reads are pinned to one manifest instead of {@code _CURRENT}. */
  public boolean pinned() {
    return ref != null || offset != null;
  }
}
