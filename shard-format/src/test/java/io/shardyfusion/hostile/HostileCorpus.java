package io.shardyfusion.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The literal files of the hostile corpus: {@code src/test/resources/hostile/<dir>/}, indexed by
 * {@code EXPECTED.tsv} (file, tab, a fragment the error must contain).
 */
public final class HostileCorpus {
  private HostileCorpus() {}

  /** One file of the corpus. */
  public record Entry(String dir, String file, byte[] bytes, String expected) {
    @Override
    public String toString() {
      return dir + "/" + file;
    }
  }

  public static List<Entry> files(String dir) {
    List<Entry> out = new ArrayList<>();
    for (String line : new String(read(dir + "/EXPECTED.tsv"), StandardCharsets.UTF_8)
        .split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\t", 2);
      out.add(new Entry(dir, parts[0], read(dir + "/" + parts[0]), parts[1].strip()));
    }
    return out;
  }

  private static byte[] read(String path) {
    try (InputStream in = HostileCorpus.class.getResourceAsStream("/hostile/" + path)) {
      if (in == null) {
        throw new IllegalStateException("no corpus file hostile/" + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
