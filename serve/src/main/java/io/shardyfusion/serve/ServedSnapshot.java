package io.shardyfusion.serve;

import io.shardyfusion.reader.RefreshListener;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named snapshot the server answers for: its reader once opened (opening downloads the
 * shards, so it happens after the server listens, and {@code /health/ready} waits for it), the
 * last open or refresh error, and the refresh events, which it logs and counts.
 */
final class ServedSnapshot implements RefreshListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServedSnapshot.class);

  final String name;
  /** Where it comes from (the {@code _CURRENT} URL), for info and messages. */
  final String source;
  private final Supplier<ShardedReader> opener;
  private final ServeMetrics metrics;
  private final Clock clock;
  private volatile ShardedReader reader;
  private volatile String lastError;
  private volatile Instant lastRefresh;
  private boolean closed;

  ServedSnapshot(String name, String source, Supplier<ShardedReader> opener,
      ServeMetrics metrics, Clock clock) {
    this.name = name;
    this.source = source;
    this.opener = opener;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Opens the reader; on failure remembers the error (shown by {@code /health/ready}) so that the
   * caller can try again later.
   *
   * @return whether the snapshot is open now
   */
  boolean tryOpen() {
    if (reader != null) {
      return true;
    }
    ShardedReader opened;
    try {
      opened = opener.get();
    } catch (RuntimeException e) {
      lastError = e.getMessage();
      LOG.warn("snapshot {}: cannot open {} (will retry): {}", name, source, e.getMessage());
      return false;
    }
    synchronized (this) {
      if (closed) {
        opened.close();
        return false;
      }
      opened.addRefreshListener(this);
      reader = opened;
    }
    lastError = null;
    SnapshotInfo info = opened.snapshotInfo();
    LOG.info("snapshot {}: serving run {} ({}, {} rows in {} shards) from {}", name, info.runId(),
        info.manifestRef(), info.totalRows(), info.numDbs(), source);
    return true;
  }

  /** The reader, or null while the snapshot is still being opened. */
  ShardedReader reader() {
    return reader;
  }

  String lastError() {
    return lastError;
  }

  Instant lastRefresh() {
    return lastRefresh;
  }

  /**
   * Refreshes now (the endpoint's request); the listener below logs and counts swaps and
   * failures, this counts the attempts that found nothing new.
   */
  boolean refresh() {
    ShardedReader r = reader;
    boolean changed = r.refresh();
    lastRefresh = clock.instant();
    if (!changed) {
      metrics.refreshed(name, "unchanged");
    }
    return changed;
  }

  @Override
  public void onRefreshed(SnapshotInfo previous, SnapshotInfo current) {
    lastRefresh = clock.instant();
    lastError = null;
    metrics.refreshed(name, "swapped");
    LOG.info("snapshot {}: refreshed from run {} to run {} ({})", name, previous.runId(),
        current.runId(), current.manifestRef());
  }

  @Override
  public void onRefreshFailed(Exception error) {
    lastRefresh = clock.instant();
    lastError = error.getMessage();
    metrics.refreshed(name, "failed");
    LOG.warn("snapshot {}: refresh failed, still serving the previous snapshot: {}", name,
        error.getMessage());
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (reader != null) {
      reader.close();
    }
  }
}
