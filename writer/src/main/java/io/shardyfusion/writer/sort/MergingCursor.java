package io.shardyfusion.writer.sort;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** K-way merge by key; ties keep both records so that duplicates surface downstream. */
final class MergingCursor implements RecordCursor {
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

  private final PriorityQueue<Head> heap;
  private final List<RecordCursor> all;
  private byte[] key;
  private byte[] value;

  MergingCursor(List<RecordCursor> sources) {
    this.all = sources;
    this.heap = new PriorityQueue<>(Math.max(1, sources.size()),
        Comparator.comparing((Head h) -> h.key, Arrays::compareUnsigned));
    for (RecordCursor c : sources) {
      Head h = new Head(c);
      if (h.advance()) {
        heap.add(h);
      }
    }
  }

  @Override
  public boolean next() {
    Head h = heap.poll();
    if (h == null) {
      return false;
    }
    key = h.key;
    value = h.value;
    if (h.advance()) {
      heap.add(h);
    }
    return true;
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
