package io.shardyfusion.routing;

import io.shardyfusion.errors.ConfigValidationException;
import com.google.common.primitives.UnsignedLong;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelByteString;
import java.math.BigInteger;

/**
 * The CEL types a routing variable may have, and the conversion of a Java value into the value
 * cel-java expects for that type (int → {@code Long}, uint → {@code UnsignedLong}, bytes →
 * {@code CelByteString}). cel-java does not convert {@code Integer} or {@code byte[]} itself: it
 * fails at evaluation with an unhelpful "no matching overload", so conversion happens here.
 */
enum CelColumnType {
  INT("int", SimpleType.INT),
  UINT("uint", SimpleType.UINT),
  STRING("string", SimpleType.STRING),
  BYTES("bytes", SimpleType.BYTES),
  DOUBLE("double", SimpleType.DOUBLE),
  BOOL("bool", SimpleType.BOOL);

  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final String wireName;
  private final CelType celType;

  CelColumnType(String wireName, CelType celType) {
    this.wireName = wireName;
    this.celType = celType;
  }

  String wireName() {
    return wireName;
  }

  CelType celType() {
    return celType;
  }

  static CelColumnType fromWireName(String name) {
    for (CelColumnType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    // ShardingSpec has validated column types already; reaching this is a programming error.
    throw new ConfigValidationException("unknown CEL column type '" + name + "'");
  }

  /** The type of the {@code key} variable of key-only expressions. */
  static CelColumnType forKeyEncoding(KeyEncoding encoding) {
    switch (encoding) {
      case U64BE:
      case U32BE:
        return INT;
      case UTF8:
        return STRING;
      case RAW:
        return BYTES;
      default:
        throw new AssertionError(encoding);
    }
  }

  /**
   * The CEL runtime value of {@code v}, or null when {@code v} cannot be that type (wrong class
   * or out of range); callers turn null into an error naming the variable.
   */
  Object toCel(Object v) {
    switch (this) {
      case INT:
        if (isSmallIntegral(v)) {
          return ((Number) v).longValue();
        }
        if (v instanceof BigInteger && ((BigInteger) v).bitLength() < 64) {
          return ((BigInteger) v).longValue();
        }
        return null;
      case UINT:
        if (v instanceof UnsignedLong) {
          return v;
        }
        if (isSmallIntegral(v) && ((Number) v).longValue() >= 0) {
          return UnsignedLong.fromLongBits(((Number) v).longValue());
        }
        if (v instanceof BigInteger && ((BigInteger) v).signum() >= 0
            && ((BigInteger) v).compareTo(U64_MAX) <= 0) {
          return UnsignedLong.valueOf((BigInteger) v);
        }
        return null;
      case STRING:
        return v instanceof CharSequence ? v.toString() : null;
      case BYTES:
        if (v instanceof byte[]) {
          return CelByteString.of((byte[]) v);
        }
        return v instanceof CelByteString ? v : null;
      case DOUBLE:
        // Python passes ints where floats are expected; accept integral numbers as well.
        return v instanceof Double || v instanceof Float || isSmallIntegral(v)
            ? ((Number) v).doubleValue() : null;
      case BOOL:
        return v instanceof Boolean ? v : null;
      default:
        throw new AssertionError(this);
    }
  }

  private static boolean isSmallIntegral(Object v) {
    return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
  }
}
