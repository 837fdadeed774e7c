package io.shardyfusion.routing;

import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.errors.UnknownRoutingValueException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns a key (and, for multi-column CEL, its routing context) into the shard id and the
 * encoded key bytes: normalise, route, encode. Every writer and the reader go through it, so a
 * key is stored where a lookup looks for it.
 *
 * <pre>{@code
 * RecordRouter keys = new RecordRouter(router, KeyEncoding.U64BE);
 * RecordRouter.Routed r = keys.route(42L, null);            // r.dbId(), r.keyBytes()
 * RecordRouter.Record rec = keys.prepare(user, User::id, null, User::toBytes,
 *     () -> "record #" + index);                               // errors name the record
 * }</pre>
 */
public final class RecordRouter {
  private final ShardRouter router;
  private final KeyEncoding encoding;

  public RecordRouter(ShardRouter router, KeyEncoding encoding) {
    this.router = Objects.requireNonNull(router, "router");
    this.encoding = Objects.requireNonNull(encoding, "encoding");
  }

  /**
   * A routed key.
   *
   * @param key the normalized key ({@code Long}, {@code String} or {@code byte[]})
   * @param keyBytes the key as stored in the shard
   */
  public record Routed(int dbId, Object key, byte[] keyBytes) {}

  /** A record ready for its shard's sort: shard id, encoded key, value. */
  public record Record(int dbId, byte[] key, byte[] value) {}

  public ShardRouter router() {
    return router;
  }

  public KeyEncoding encoding() {
    return encoding;
  }

  /** The shard id of {@code key}; {@code routingContext} may be null when routing reads only the key. */
  public int shardOf(Object key, Map<String, ?> routingContext) {
    return dbId(encoding.normalize(key), routingContext);
  }

  /** {@link Routed#dbId()} of a key that no shard can hold (see {@link #routeForLookup}). */
  public static final int NO_SHARD = -1;

  /** Normalises, routes and encodes {@code key}. */
  public Routed route(Object key, Map<String, ?> routingContext) {
    Object k = encoding.normalize(key);
    return new Routed(dbId(k, routingContext), k, encoding.encodeNormalized(k));
  }

  /**
   * As {@link #route}, for lookups: a categorical token that is not among the snapshot's
   * routing values means no shard holds the key, so the key routes to {@link #NO_SHARD} (a
   * miss) instead of failing, as the Python system's readers do.
   */
  public Routed routeForLookup(Object key, Map<String, ?> routingContext) {
    Object k = encoding.normalize(key);
    int dbId;
    try {
      dbId = dbId(k, routingContext);
    } catch (UnknownRoutingValueException e) {
      dbId = NO_SHARD;
    }
    return new Routed(dbId, k, encoding.encodeNormalized(k));
  }

  /**
   * One writer record: its key, routing context and value, with any key, routing or value
   * error naming the record ({@code name}, e.g. "record #3", is only evaluated on error).
   *
   * @param contextFn null when routing reads only the key
   * @throws KeyValidationException for a bad key or a null value
   * @throws RoutingException when routing fails
   */
  public <T> Record prepare(T record, Function<? super T, ?> keyFn,
      Function<? super T, ? extends Map<String, ?>> contextFn,
      Function<? super T, byte[]> valueFn, Supplier<String> name) {
    Routed routed;
    byte[] value;
    try {
      routed = route(keyFn.apply(record), contextFn == null ? null : contextFn.apply(record));
      value = valueFn.apply(record);
    } catch (KeyValidationException e) {
      throw new KeyValidationException(name.get() + ": " + e.getMessage(), e);
    } catch (UnknownRoutingValueException e) {
      throw new UnknownRoutingValueException(name.get() + ": " + e.getMessage());
    } catch (RoutingException e) {
      throw new RoutingException(name.get() + ": " + e.getMessage(), e);
    }
    if (value == null) {
      throw new KeyValidationException(name.get() + " (key " + routed.key() + "): the value "
          + "function returned null; every record needs a value (use an empty array for none)");
    }
    return new Record(routed.dbId(), routed.keyBytes(), value);
  }

  private int dbId(Object normalizedKey, Map<String, ?> routingContext) {
    return routingContext == null ? router.route(normalizedKey)
        : router.route(normalizedKey, routingContext);
  }
}
