package io.shardyfusion.cli;

import io.shardyfusion.reader.ShardDownloadListener;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A progress bar on stderr while the reader makes shards local. Installed only on a terminal
 * (see {@link Session#reader()}); a bar starts with each load (open or refresh) and closes when
 * its last shard is in.
 */
final class ProgressListener implements ShardDownloadListener {
  private final PrintStream err;
  private ProgressBar bar;

  ProgressListener(PrintStream err) {
    this.err = err;
  }

  @Override
  public void shardLoaded(int done, int total, long bytesDone) {
    if (bar == null) {
      bar = new ProgressBarBuilder().setTaskName("shards").setInitialMax(total)
          .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(100)
          .continuousUpdate().build();
    }
    bar.stepTo(done);
    bar.setExtraMessage(String.format("%.1f MiB", bytesDone / 1048576.0));
    if (done >= total) {
      bar.close();
      bar = null;
    }
  }
}
