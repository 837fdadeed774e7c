package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The terminal progress bar draws each load to its end, and starts anew for the next load. */
class ProgressListenerTest {

  @Test
  void drawsEveryLoadToCompletion() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressListener listener = new ProgressListener(new PrintStream(bytes, true,
        StandardCharsets.UTF_8));
    listener.shardLoaded(1, 3, 1 << 20);
    listener.shardLoaded(2, 3, 2 << 20);
    listener.shardLoaded(3, 3, 3 << 20);
    String first = bytes.toString(StandardCharsets.UTF_8);
    assertThat(first).contains("shards").contains("3/3").contains("3.0 MiB");

    bytes.reset();
    listener.shardLoaded(1, 2, 10);
    listener.shardLoaded(2, 2, 20);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("2/2").doesNotContain("3/3");
  }
}
