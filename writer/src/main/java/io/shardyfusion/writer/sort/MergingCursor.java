package io.shardyfusion.writer.sort;

import java.util.Arrays;
import java.util.List;

/**
 * K-way merge by key; ties keep both records so that duplicates surface downstream.
 *
 * <p>A binary min-heap of the sources' heads in an array: each record costs one sift-down from
 * the root after its source advances in place (a {@link java.util.PriorityQueue} would poll and
 * re-add, two sifts per record), and a source whose next key still sorts first stays at the
 * root with a single comparison.
 */
final class MergingCursor implements RecordCursor {
  /** A source and its current record, read once per advance (a cursor may copy on each call). */
  private static final class Head {
    final RecordCursor cursor;
    byte[] key;
    byte[] value;

    Head(RecordCursor cursor) {
      this.cursor = cursor;
    }

    boolean advance() {
      if (!cursor.next()) {
        return false;
      }
      key = cursor.key();
      value = cursor.value();
      return true;
    }
  }

  private final Head[] heap; // heap[0] holds the smallest current key
  private int size;
  private final List<RecordCursor> all;
  private byte[] key;
  private byte[] value;
  private boolean started;

  MergingCursor(List<RecordCursor> sources) {
    this.all = sources;
    this.heap = new Head[sources.size()];
    for (RecordCursor c : sources) {
      Head h = new Head(c);
      if (h.advance()) {
        heap[size++] = h;
      }
    }
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
  }

  @Override
  public boolean next() {
    if (started && size > 0) {
      // The root's record was handed out by the previous call: advance that source.
      if (!heap[0].advance()) {
        heap[0] = heap[--size];
        heap[size] = null;
      }
      if (size > 0) {
        siftDown(0);
      }
    }
    started = true;
    if (size == 0) {
      key = null;
      value = null;
      return false;
    }
    key = heap[0].key;
    value = heap[0].value;
    return true;
  }

  private void siftDown(int i) {
    Head moving = heap[i];
    byte[] k = moving.key;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && Arrays.compareUnsigned(heap[child + 1].key, heap[child].key) < 0) {
        child++;
      }
      if (Arrays.compareUnsigned(heap[child].key, k) >= 0) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = moving;
  }

  @Override
  public byte[] key() {
    return key;
  }

  @Override
  public byte[] value() {
    return value;
  }

  @Override
  public void close() {
    for (RecordCursor c : all) {
      c.close();
    }
  }
}
