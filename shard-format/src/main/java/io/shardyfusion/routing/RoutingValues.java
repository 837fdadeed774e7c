package io.shardyfusion.routing;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.values.CelByteString;
import io.shardyfusion.errors.ConfigValidationException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Categorical routing: each token's position in the list is its shard id. Tokens are integers
 * ({@code Long}), strings or bytes, compared by value (bytes by content).
 */
final class RoutingValues {
  private final Map<Object, Integer> idByToken;

  private RoutingValues(List<Object> values) {
    idByToken = new HashMap<>(values.size() * 2);
    for (int i = 0; i < values.size(); i++) {
      idByToken.put(lookupKey(values.get(i)), i);
    }
  }

  static RoutingValues of(List<Object> values) {
    return new RoutingValues(values);
  }

  /** Normalizes the tokens in place and rejects an empty list, other types and duplicates. */
  static void normalizeAll(List<Object> values) {
    if (values.isEmpty()) {
      throw new ConfigValidationException("routingValues is empty; give one token per shard "
          + "or leave routingValues unset");
    }
    Map<Object, Integer> seen = new HashMap<>();
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      Object normalized;
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        normalized = ((Number) v).longValue();
      } else if (v instanceof BigInteger b) {
        if (b.bitLength() > 63) {
          throw new ConfigValidationException("routing value " + i + " (" + b + ") is outside "
              + "the 64-bit integer range; integer routing values must fit -2^63..2^63-1");
        }
        normalized = b.longValue();
      } else if (v instanceof String || v instanceof byte[]) {
        normalized = v;
      } else {
        throw new ConfigValidationException("routing value " + i + " (" + v + ") has type "
            + (v == null ? "null" : v.getClass().getSimpleName())
            + "; routing values must be integers, strings or byte[]");
      }
      Integer earlier = seen.putIfAbsent(lookupKey(normalized), i);
      if (earlier != null) {
        throw new ConfigValidationException("routing values " + earlier + " and " + i
            + " are the same token (" + CelShardRouter.render(normalized) + "); each token "
            + "names one shard, so list each once");
      }
      values.set(i, normalized);
    }
  }

  /** The shard of a CEL result, or -1 when the token is not listed. */
  int shardOf(Object celResult) {
    Object key;
    if (celResult instanceof Long || celResult instanceof String) {
      key = celResult;
    } else if (celResult instanceof UnsignedLong u) {
      if (u.longValue() < 0) {
        return -1; // above 2^63-1: no listed integer token can equal it
      }
      key = u.longValue();
    } else if (celResult instanceof CelByteString b) {
      key = ByteBuffer.wrap(b.toByteArray());
    } else {
      return -1;
    }
    Integer id = idByToken.get(key);
    return id == null ? -1 : id;
  }

  private static Object lookupKey(Object token) {
    return token instanceof byte[] b ? ByteBuffer.wrap(b) : token;
  }
}
