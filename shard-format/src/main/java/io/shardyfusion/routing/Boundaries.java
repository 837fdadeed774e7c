package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.RoutingException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/**
 * Range routing with {@code bisect_right}: the shard of a value is the number of boundaries that
 * are less than or equal to it, as Python's {@code bisect.bisect_right} computes.
 */
final class Boundaries {
  private Boundaries() {}

  /** Boundaries and routing values share one comparable form: Long, Double, String, byte[]. */
  static Object normalize(Object value, int index) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger) {
      BigInteger big = (BigInteger) value;
      if (big.bitLength() > 63) {
        throw new ConfigValidationException("boundary " + index + " (" + big + ") is outside "
            + "the 64-bit integer range; integer boundaries must fit -2^63..2^63-1");
      }
      return big.longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof String || value instanceof byte[]) {
      return value;
    }
    throw new ConfigValidationException("boundary " + index + " (" + value + ") has type "
        + (value == null ? "null" : value.getClass().getSimpleName())
        + "; boundaries must be integers, doubles, strings or byte[]");
  }

  static int compare(Object a, Object b) {
    if (a instanceof Long && b instanceof Long) {
      return Long.compare((Long) a, (Long) b);
    }
    if (a instanceof Number && b instanceof Number) {
      return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
    }
    if (a instanceof String && b instanceof String) {
      // Python compares str by code point; String.compareTo compares UTF-16 units, which
      // differs only above the BMP, so compare code points to stay identical.
      return compareCodePoints((String) a, (String) b);
    }
    if (a instanceof byte[] && b instanceof byte[]) {
      return Arrays.compareUnsigned((byte[]) a, (byte[]) b);
    }
    throw new RoutingException("cannot compare routing value " + describe(a)
        + " with boundary " + describe(b) + ": the CEL result and the boundaries must be of "
        + "the same kind (numbers, strings or bytes)");
  }

  static int bisectRight(List<Object> boundaries, Object value) {
    int lo = 0;
    int hi = boundaries.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(value, boundaries.get(mid)) < 0) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  static boolean listEquals(List<Object> a, List<Object> b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      boolean same = x instanceof byte[] && y instanceof byte[]
          ? Arrays.equals((byte[]) x, (byte[]) y) : x.equals(y);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static String describe(Object o) {
    return o == null ? "null" : o + " (" + o.getClass().getSimpleName() + ")";
  }
}
