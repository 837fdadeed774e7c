package io.shardyfusion.backend.sqlite;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * The page size SQLite shards are written with: a fixed 4096…65536, or {@link #auto()}, which
 * picks after writing, with the Python system's rule, the smallest size whose
 * {@code WITHOUT ROWID} inline payload limit {@code ((N - 12) * 64 / 255) - 23} holds the
 * 95th-percentile value (nearest rank) plus the longest key plus 12 bytes of cell overhead:
 * values that do not fit inline spill into overflow pages, one more read each.
 */
public final class PageSize implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The sizes writers accept, ascending. */
  public static final List<Integer> SUPPORTED = List.of(4096, 8192, 16384, 32768, 65536);
  static final PageSize DEFAULT = new PageSize(4096);
  private static final int CELL_OVERHEAD_BYTES = 12;

  private final int bytes; // 0 = auto

  private PageSize(int bytes) {
    this.bytes = bytes;
  }

  public static PageSize of(int bytes) {
    if (!SUPPORTED.contains(bytes)) {
      throw new ConfigValidationException("SQLite page size " + bytes + " is not supported; use "
          + "one of " + SUPPORTED + " or auto");
    }
    return new PageSize(bytes);
  }

  public static PageSize auto() {
    return new PageSize(0);
  }

  /** {@code 4096}…{@code 65536} or {@code auto}, as on the command line. */
  public static PageSize parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("auto")) {
      return auto();
    }
    try {
      return of(Integer.parseInt(t));
    } catch (NumberFormatException e) {
      throw new ConfigValidationException("SQLite page size '" + text + "' is not a number; use "
          + "one of " + SUPPORTED + " or auto");
    }
  }

  public boolean isAuto() {
    return bytes == 0;
  }

  /** The size a build starts with: the fixed size, or 4096 for auto. */
  int initialBytes() {
    return isAuto() ? 4096 : bytes;
  }

  /** SQLite's largest inline payload of a WITHOUT ROWID leaf cell at this page size. */
  static int inlinePayloadLimit(int pageSize) {
    return ((pageSize - 12) * 64 / 255) - 23;
  }

  /** The smallest supported size that keeps such cells inline; the largest if none does. */
  static int recommend(long p95ValueBytes, long maxKeyBytes) {
    long required = p95ValueBytes + maxKeyBytes + CELL_OVERHEAD_BYTES;
    for (int size : SUPPORTED) {
      if (inlinePayloadLimit(size) >= required) {
        return size;
      }
    }
    return SUPPORTED.get(SUPPORTED.size() - 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PageSize p && p.bytes == bytes;
  }

  @Override
  public int hashCode() {
    return bytes;
  }

  @Override
  public String toString() {
    return isAuto() ? "auto" : Integer.toString(bytes);
  }
}
