package io.shardyfusion.testing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Input files for the job tests: generated rows whose keys the test can route itself. */
public final class JobInputs {
  private JobInputs() {}

  /** The value written for key {@code id} by {@link #writeCsv}. */
  public static String value(long id) {
    return "v" + id;
  }

  /**
   * Writes rows {@code id,v} for ids {@code 0..rows-1} into {@code files} CSV files
   * {@code dir/part-N.csv} (ids dealt round-robin, so every file is read by its own task) and
   * returns the glob that matches them.
   */
  public static String writeCsv(Path dir, long rows, int files) throws IOException {
    Files.createDirectories(dir);
    BufferedWriter[] out = new BufferedWriter[files];
    try {
      for (int f = 0; f < files; f++) {
        out[f] = Files.newBufferedWriter(dir.resolve("part-" + f + ".csv"),
            StandardCharsets.UTF_8);
        out[f].write("id,v\n");
      }
      for (long id = 0; id < rows; id++) {
        BufferedWriter w = out[(int) (id % files)];
        w.write(Long.toString(id));
        w.write(',');
        w.write(value(id));
        w.write('\n');
      }
    } finally {
      for (BufferedWriter w : out) {
        if (w != null) {
          w.close();
        }
      }
    }
    return dir.resolve("part-*.csv").toString();
  }
}
