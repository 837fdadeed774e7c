package io.shardyfusion.cli;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.ops.rollback.Rollback;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the commands of one invocation (or one REPL) share: the resolved target, one reader
 * opened on first use and kept (so {@code refresh} in the REPL swaps it), and the output.
 * Closing it closes the reader and removes the temporary shard cache.
 */
public final class Session implements AutoCloseable {
  private final CliContext ctx;
  private final GlobalSettings settings;
  private final Output output;
  private SnapshotTarget target;
  private ShardedReader reader;
  private String pinnedRef;
  private volatile Path tempCache;

  public Session(CliContext ctx, GlobalSettings settings) {
    this.ctx = ctx;
    this.settings = settings;
    OutputFormat format = settings.outputFormat() != null ? settings.outputFormat()
        : ctx.interactive() ? OutputFormat.TABLE : OutputFormat.JSONL;
    this.output = new Output(ctx.out(), format);
  }

  public CliContext context() {
    return ctx;
  }

  public GlobalSettings settings() {
    return settings;
  }

  public Output output() {
    return output;
  }

  /** The value format: the command's option, else reader.toml's value_encoding, else auto. */
  public ValueFormat valueFormat(ValueFormat option) {
    if (option != null) {
      return option;
    }
    ValueFormat configured = settings.config().valueEncoding();
    return configured != null ? configured : ValueFormat.AUTO;
  }

  /** reader.toml's null_repr (the value shown for a missing key), or null when not set. */
  public String nullRepr() {
    return settings.config().nullRepr();
  }

  /** The snapshot target, resolved on first use. */
  public synchronized SnapshotTarget target() {
    if (target == null) {
      target = SnapshotTarget.resolve(settings, ctx);
    }
    return target;
  }

  /**
   * The manifest {@code --ref}/{@code --offset} pin reads to, or null to follow
   * {@code _CURRENT}. Resolved once; an unknown ref or an offset beyond history fails here.
   */
  public synchronized String pinnedRef() {
    if (!settings.pinned() || pinnedRef != null) {
      return pinnedRef;
    }
    Rollback.Selector selector;
    try {
      selector = settings.ref() != null ? Rollback.Selector.ref(settings.ref())
          : Rollback.Selector.offset(settings.offset());
    } catch (ConfigValidationException e) {
      throw new UsageException(e.getMessage(), e);
    }
    pinnedRef = Rollback.resolve(target().manifests(), selector);
    return pinnedRef;
  }

  /** The reader, opened on first use (downloading the shards). */
  public synchronized ShardedReader reader() {
    if (reader == null) {
      ReaderConfig.Builder config = target().readerConfig().localRoot(cacheDir())
          .pinnedManifestRef(pinnedRef());
      Integer workers = settings.config().maxWorkers();
      if (workers != null) {
        config.downloadParallelism(workers); // reader.toml max_workers
      }
      if (ctx.progress()) {
        config.downloadListener(new ProgressListener(ctx.err()));
      }
      reader = ShardedReader.open(config.build());
    }
    return reader;
  }

  /** Whether a reader is open (then {@link #served()} is what it serves). */
  public synchronized boolean readerOpen() {
    return reader != null;
  }

  /** A manifest and its ref. */
  public record Served(Manifest manifest, String ref) {}

  /**
   * The manifest reads go to: the open reader's, else the pinned one, else the current one;
   * loaded without downloading any shard.
   */
  public synchronized Served served() {
    if (reader != null) {
      return new Served(reader.manifest(), reader.snapshotInfo().manifestRef());
    }
    String ref = pinnedRef();
    if (ref == null) {
      ref = currentPointer().manifestRef();
    }
    return new Served(target().manifests().loadManifest(ref), ref);
  }

  /** {@code _CURRENT}, which must exist. */
  public CurrentPointer currentPointer() {
    return target().manifests().loadCurrent().orElseThrow(() -> new StorageException(
        "no snapshot is published at " + target().currentUrl() + " (it does not exist); "
            + "check --current-url or publish a snapshot first", false));
  }

  private Path cacheDir() {
    if (settings.cacheDir() != null) {
      return settings.cacheDir();
    }
    if (tempCache == null) {
      try {
        tempCache = Files.createTempDirectory("shardy-cache");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary shard cache", e);
      }
    }
    return tempCache;
  }

  /**
   * Removes the temporary shard cache without waiting for a command to finish: for the
   * shutdown hook (Ctrl-C), which must not block on a download holding the session's lock.
   */
  void removeTempCacheNow() {
    Path dir = tempCache;
    if (dir != null) {
      deleteTree(dir);
    }
  }

  @Override
  public synchronized void close() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
    if (target != null) {
      target.close();
      target = null;
    }
    if (tempCache != null) {
      deleteTree(tempCache);
      tempCache = null;
    }
  }

  /** Deletes a directory tree, ignoring what cannot be deleted (a temp dir the OS cleans). */
  static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is cleaned by the OS
    }
  }
}
