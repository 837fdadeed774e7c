package io.shardyfusion.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shardyfusion.errors.KeyValidationException;
import io.shardyfusion.errors.ReaderStateException;
import io.shardyfusion.errors.RoutingException;
import io.shardyfusion.errors.ShardyfusionException;
import io.shardyfusion.reader.ShardDetail;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import io.shardyfusion.routing.KeyConverter;
import io.shardyfusion.routing.KeyEncoding;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every endpoint of the server. Requests arrive on an I/O thread and are dispatched to the
 * worker pool (lookups may touch disk); each is answered, timed and counted by route template.
 * Paths are split on the raw URI, each segment percent-decoded here, so that a key may hold an
 * encoded {@code /} ({@code %2F}) or {@code +}.
 */
final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

  static final String ROUTE_KEYS = "/v1/{snapshot}/keys/{key}";
  static final String ROUTE_ROUTE = "/v1/{snapshot}/route/{key}";
  static final String ROUTE_INFO = "/v1/{snapshot}/info";
  static final String ROUTE_MULTIGET = "/v1/{snapshot}/multiget";
  static final String ROUTE_REFRESH = "/v1/{snapshot}/refresh";
  static final String ROUTE_SNAPSHOTS = "/v1/snapshots";
  static final String ROUTE_FLOOR = "/v1/_floor";
  static final String ROUTE_LIVE = "/health/live";
  static final String ROUTE_READY = "/health/ready";
  static final String ROUTE_METRICS = "/metrics";
  /** Anything else (404s): one tag value, whatever the path was. */
  static final String ROUTE_OTHER = "other";
  static final String UNKNOWN_SNAPSHOT_TAG = "_unknown";
  static final String NO_SNAPSHOT_TAG = "";

  private static final String JSON = "application/json";
  private static final String OCTETS = "application/octet-stream";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final byte[] FLOOR_VALUE = "floor-constant-v".getBytes(StandardCharsets.UTF_8);

  /** What the server was configured with (see {@link SnapshotServer.Builder}). */
  record Settings(ValueRenderer values, boolean jsonValues, int maxBodyBytes, int maxMultiGetKeys,
      byte[] refreshToken, Duration refreshTimeout, boolean floor, Duration refreshInterval,
      java.util.function.Consumer<String> beforeLookup) {}

  private final Map<String, ServedSnapshot> snapshots;
  private final ServeMetrics metrics;
  private final PrometheusMeterRegistry registry;
  private final Settings settings;
  private final ExecutorService refreshExecutor;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();

  ApiHandler(Map<String, ServedSnapshot> snapshots, ServeMetrics metrics,
      PrometheusMeterRegistry registry, Settings settings, ExecutorService refreshExecutor,
      Clock clock) {
    this.snapshots = snapshots;
    this.metrics = metrics;
    this.registry = registry;
    this.settings = settings;
    this.refreshExecutor = refreshExecutor;
    this.clock = clock;
  }

  /** The route and snapshot tags of one request, filled in as the path is understood. */
  private static final class Call {
    String route = ROUTE_OTHER;
    String snapshot = NO_SNAPSHOT_TAG;
  }

  @Override
  public void handleRequest(HttpServerExchange ex) {
    if (ex.isInIoThread()) {
      ex.dispatch(this);
      return;
    }
    long start = System.nanoTime();
    metrics.started();
    Call call = new Call();
    try {
      route(ex, call);
    } catch (HttpError e) {
      error(ex, e.status, e.code, e.getMessage());
    } catch (KeyValidationException | RoutingException e) {
      error(ex, 400, "bad_key", e.getMessage());
    } catch (ReaderStateException e) {
      error(ex, 503, "shutting_down", e.getMessage());
    } catch (ShardyfusionException e) {
      error(ex, e.retryable() ? 503 : 500, "read_failed", e.getMessage()
          + (e.retryable() ? " (retryable)" : ""));
    } catch (RuntimeException | IOException e) {
      LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      error(ex, 500, "internal_error", String.valueOf(e.getMessage()));
    } finally {
      metrics.answered(call.route, ex.getRequestMethod().toString(), ex.getStatusCode(),
          call.snapshot, System.nanoTime() - start);
    }
  }

  private void route(HttpServerExchange ex, Call call) throws IOException {
    List<String> segments = segments(ex.getRequestURI());
    HttpString method = ex.getRequestMethod();
    int n = segments.size();
    if (n == 2 && segments.get(0).equals("health")) {
      if (segments.get(1).equals("live")) {
        call.route = ROUTE_LIVE;
        requireMethod(method, Methods.GET);
        send(ex, 200, Map.of("status", "live"));
        return;
      }
      if (segments.get(1).equals("ready")) {
        call.route = ROUTE_READY;
        requireMethod(method, Methods.GET);
        ready(ex);
        return;
      }
    }
    if (n == 1 && segments.get(0).equals("metrics")) {
      call.route = ROUTE_METRICS;
      requireMethod(method, Methods.GET);
      sendBytes(ex, 200, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (n >= 2 && segments.get(0).equals("v1")) {
      if (n == 2 && segments.get(1).equals("snapshots")) {
        call.route = ROUTE_SNAPSHOTS;
        requireMethod(method, Methods.GET);
        send(ex, 200, Map.of("snapshots", List.copyOf(snapshots.keySet())));
        return;
      }
      if (settings.floor() && segments.get(1).equals("_floor")) {
        // The benchmark's HTTP floor: the same dispatch, timing and answer path as a get, no
        // lookup (see bin/shardy-bench serve). Off unless the server was started for it.
        call.route = ROUTE_FLOOR;
        sendBytes(ex, 200, OCTETS, FLOOR_VALUE);
        return;
      }
      if (n >= 3) {
        apiCall(ex, call, segments, method);
        return;
      }
    }
    throw new HttpError(404, "not_found", "no endpoint " + ex.getRequestURI() + "; the API is "
        + "GET /v1/{snapshot}/keys/{key}, POST /v1/{snapshot}/multiget, "
        + "GET /v1/{snapshot}/route/{key}, GET /v1/{snapshot}/info, "
        + "POST /v1/{snapshot}/refresh, GET /v1/snapshots, /health/live, /health/ready, "
        + "/metrics");
  }

  private void apiCall(HttpServerExchange ex, Call call, List<String> segments,
      HttpString method) throws IOException {
    String what = segments.get(2);
    int n = segments.size();
    String rest = n > 3 ? String.join("/", segments.subList(3, n)) : null;
    switch (what) {
      case "keys" -> call.route = ROUTE_KEYS;
      case "route" -> call.route = ROUTE_ROUTE;
      case "info" -> call.route = ROUTE_INFO;
      case "multiget" -> call.route = ROUTE_MULTIGET;
      case "refresh" -> call.route = ROUTE_REFRESH;
      default -> throw new HttpError(404, "not_found", "no endpoint " + ex.getRequestURI()
          + "; under /v1/{snapshot}/ there are keys/{key}, route/{key}, info, multiget, "
          + "refresh");
    }
    boolean takesKey = what.equals("keys") || what.equals("route");
    if (takesKey != (rest != null)) {
      throw new HttpError(404, "not_found", takesKey
          ? "no key in " + ex.getRequestURI() + "; use /v1/{snapshot}/" + what + "/{key}"
          : "no endpoint " + ex.getRequestURI() + "; use /v1/{snapshot}/" + what);
    }
    String name = segments.get(1);
    ServedSnapshot snapshot = snapshots.get(name);
    call.snapshot = snapshot == null ? UNKNOWN_SNAPSHOT_TAG : name;
    if (what.equals("refresh")) {
      requireMethod(method, Methods.POST);
      authorizeRefresh(ex); // before anything about the snapshot is told
    }
    if (snapshot == null) {
      throw new HttpError(404, "unknown_snapshot", "no snapshot named '" + name
          + "'; this server serves: " + String.join(", ", snapshots.keySet()));
    }
    switch (what) {
      case "keys" -> {
        requireMethod(method, Methods.GET);
        get(ex, snapshot, rest);
      }
      case "route" -> {
        requireMethod(method, Methods.GET);
        route(ex, snapshot, rest);
      }
      case "info" -> {
        requireMethod(method, Methods.GET);
        info(ex, snapshot);
      }
      case "multiget" -> {
        requireMethod(method, Methods.POST);
        multiGet(ex, snapshot);
      }
      default -> refresh(ex, snapshot);
    }
  }

  // ---- endpoints --------------------------------------------------------------------------

  private void get(HttpServerExchange ex, ServedSnapshot snapshot, String text) {
    ShardedReader reader = reader(snapshot);
    Object key = parseKey(text, reader.manifest().keyEncoding());
    settings.beforeLookup().accept(snapshot.name);
    byte[] value = reader.get(key);
    if (value == null) {
      throw new HttpError(404, "key_not_found", "key " + text + " is not in snapshot '"
          + snapshot.name + "'");
    }
    if (settings.jsonValues() || wantsJson(ex)) {
      send(ex, 200, row(text, key, value));
    } else {
      sendBytes(ex, 200, OCTETS, value);
    }
  }

  private void route(HttpServerExchange ex, ServedSnapshot snapshot, String text) {
    ShardedReader reader = reader(snapshot);
    Object key = parseKey(text, reader.manifest().keyEncoding());
    ShardDetail shard = reader.shardForKey(key);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("snapshot", snapshot.name);
    body.put("key", display(text, key));
    body.put("db_id", shard.dbId());
    body.put("rows", shard.rowCount());
    body.put("db_url", shard.dbUrl());
    send(ex, 200, body);
  }

  private void info(HttpServerExchange ex, ServedSnapshot snapshot) {
    SnapshotInfo info = reader(snapshot).snapshotInfo();
    Instant now = clock.instant();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("snapshot", snapshot.name);
    body.put("current_url", snapshot.source);
    body.put("run_id", info.runId());
    body.put("manifest_ref", info.manifestRef());
    body.put("created_at", String.valueOf(info.createdAt()));
    body.put("age_seconds", info.createdAt() == null ? null
        : Duration.between(info.createdAt(), now).toMillis() / 1000.0);
    body.put("loaded_at", String.valueOf(info.loadedAt()));
    body.put("num_dbs", info.numDbs());
    body.put("shards_with_data", info.shardCount());
    body.put("rows", info.totalRows());
    body.put("bytes", info.totalBytes());
    body.put("key_encoding", info.keyEncoding());
    body.put("sharding", info.sharding());
    body.put("refresh_interval_seconds", settings.refreshInterval() == null ? null
        : settings.refreshInterval().toSeconds());
    body.put("last_refresh", snapshot.lastRefresh() == null ? null
        : snapshot.lastRefresh().toString());
    body.put("last_error", snapshot.lastError());
    send(ex, 200, body);
  }

  private void multiGet(HttpServerExchange ex, ServedSnapshot snapshot) throws IOException {
    ShardedReader reader = reader(snapshot);
    JsonNode body = parseJson(readBody(ex));
    JsonNode keys = body.isObject() ? body.get("keys") : body;
    if (keys == null || !keys.isArray()) {
      throw new HttpError(400, "bad_request", "the body must be a JSON array of keys, or "
          + "{\"keys\": [...]}, e.g. [1, 2, 3] or [\"alice\", \"bob\"]");
    }
    if (keys.size() > settings.maxMultiGetKeys()) {
      throw new HttpError(413, "too_many_keys", keys.size() + " keys in one multiget; at most "
          + settings.maxMultiGetKeys() + " (--max-multiget-keys); split the request");
    }
    KeyEncoding encoding = reader.manifest().keyEncoding();
    List<Object> parsed = new ArrayList<>(keys.size());
    List<String> texts = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      JsonNode k = keys.get(i);
      texts.add(k.isTextual() ? k.textValue() : k.toString());
      parsed.add(jsonKey(k, i, encoding));
    }
    settings.beforeLookup().accept(snapshot.name);
    // One call, so one snapshot state: a refresh never mixes two snapshots in one answer.
    List<byte[]> values = reader.multiGetList(parsed);
    List<Map<String, Object>> results = new ArrayList<>(values.size());
    int found = 0;
    for (int i = 0; i < values.size(); i++) {
      byte[] v = values.get(i);
      if (v != null) {
        found++;
      }
      results.add(row(texts.get(i), parsed.get(i), v));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("snapshot", snapshot.name);
    out.put("found", found);
    out.put("missing", values.size() - found);
    out.put("results", results);
    send(ex, 200, out);
  }

  private void refresh(HttpServerExchange ex, ServedSnapshot snapshot) {
    reader(snapshot);
    Future<Boolean> done = refreshExecutor.submit(snapshot::refresh);
    boolean changed;
    try {
      changed = done.get(settings.refreshTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      send(ex, 202, Map.of("snapshot", snapshot.name, "status", "refreshing", "message",
          "the refresh takes longer than " + settings.refreshTimeout().toSeconds() + " s; it "
              + "goes on in the background; see /v1/" + snapshot.name + "/info"));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "shutting_down", "the server is stopping; retry elsewhere");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      boolean retryable = cause instanceof ShardyfusionException s && s.retryable();
      throw new HttpError(502, "refresh_failed", "refresh of snapshot '" + snapshot.name
          + "' failed, the previous snapshot keeps serving: " + cause.getMessage()
          + (retryable ? " (retryable)" : ""));
    }
    SnapshotInfo info = snapshot.reader().snapshotInfo();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("snapshot", snapshot.name);
    out.put("changed", changed);
    out.put("run_id", info.runId());
    out.put("manifest_ref", info.manifestRef());
    send(ex, 200, out);
  }

  private void ready(HttpServerExchange ex) {
    Map<String, Object> each = new LinkedHashMap<>();
    boolean all = true;
    for (ServedSnapshot s : snapshots.values()) {
      ShardedReader r = s.reader();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("ready", r != null);
      if (r != null) {
        one.put("run_id", r.snapshotInfo().runId());
      } else {
        all = false;
        one.put("error", s.lastError());
      }
      each.put(s.name, one);
    }
    send(ex, all ? 200 : 503, Map.of("status", all ? "ready" : "loading", "snapshots", each));
  }

  // ---- parts ------------------------------------------------------------------------------

  private static ShardedReader reader(ServedSnapshot snapshot) {
    ShardedReader r = snapshot.reader();
    if (r == null) {
      String last = snapshot.lastError();
      throw new HttpError(503, "loading", "snapshot '" + snapshot.name + "' is still being "
          + "loaded" + (last == null ? "" : " (last attempt failed: " + last + ")")
          + "; retry when /health/ready answers 200");
    }
    return r;
  }

  /** A key in the path, read with the project's one text-to-key conversion. */
  private static Object parseKey(String text, KeyEncoding encoding) {
    try {
      return KeyConverter.fromText(text, encoding);
    } catch (KeyValidationException e) {
      throw new HttpError(400, "bad_key", "bad key '" + text + "' for this " + encoding.wireName()
          + " snapshot: " + e.getMessage());
    }
  }

  /** A key of a multiget body: JSON text as typed keys are, JSON integers as integers. */
  private static Object jsonKey(JsonNode k, int index, KeyEncoding encoding) {
    try {
      if (k.isTextual()) {
        return KeyConverter.fromText(k.textValue(), encoding);
      }
      if (k.isIntegralNumber()) {
        Object n = k.canConvertToLong() ? (Object) k.longValue() : k.bigIntegerValue();
        return KeyConverter.fromValue(n, encoding, true);
      }
    } catch (KeyValidationException e) {
      throw new HttpError(400, "bad_key", "bad key at index " + index + " (" + k + ") for this "
          + encoding.wireName() + " snapshot: " + e.getMessage());
    }
    throw new HttpError(400, "bad_key", "bad key at index " + index + " (" + k + "): keys are "
        + "JSON strings or integers");
  }

  private Map<String, Object> row(String text, Object key, byte[] value) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("key", display(text, key));
    row.put("found", value != null);
    if (value != null) {
      row.put("value", settings.values().render(value));
      row.put("value_encoding", settings.values().encodingOf(value));
    }
    return row;
  }

  /** The key as JSON shows it: a number, the string, or the typed raw form. */
  private static Object display(String text, Object key) {
    return key instanceof Long || key instanceof String ? key : text;
  }

  private void authorizeRefresh(HttpServerExchange ex) {
    byte[] expected = settings.refreshToken();
    if (expected == null) {
      return;
    }
    String header = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : null;
    // Constant time: the comparison does not tell how much of a guess was right.
    if (given == null || !MessageDigest.isEqual(expected, given)) {
      ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"shardy\"");
      throw new HttpError(401, "unauthorized", "refresh needs 'Authorization: Bearer <token>' "
          + "with the token of the server's --refresh-token-env variable");
    }
  }

  private static void requireMethod(HttpString method, HttpString allowed) {
    if (!method.equals(allowed)) {
      throw new HttpError(405, "method_not_allowed", "use " + allowed + " for this endpoint");
    }
  }

  private static boolean wantsJson(HttpServerExchange ex) {
    String accept = ex.getRequestHeaders().getFirst(Headers.ACCEPT);
    return accept != null && accept.startsWith(JSON);
  }

  /** The body, at most maxBodyBytes (413 beyond, before reading it when the length is given). */
  private byte[] readBody(HttpServerExchange ex) throws IOException {
    int max = settings.maxBodyBytes();
    long declared = ex.getRequestContentLength();
    if (declared > max) {
      throw tooLarge(declared);
    }
    ex.startBlocking();
    ByteArrayOutputStream out = new ByteArrayOutputStream(
        declared > 0 ? (int) declared : 1024);
    byte[] buf = new byte[8192];
    try (InputStream in = ex.getInputStream()) {
      for (int r; (r = in.read(buf)) > 0; ) {
        if (out.size() + r > max) {
          throw tooLarge(out.size() + r);
        }
        out.write(buf, 0, r);
      }
    }
    return out.toByteArray();
  }

  private HttpError tooLarge(long size) {
    return new HttpError(413, "body_too_large", "request body of " + size + " bytes; at most "
        + settings.maxBodyBytes() + " (--max-body-bytes); split the multiget");
  }

  private JsonNode parseJson(byte[] body) {
    try {
      JsonNode node = json.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new HttpError(400, "bad_request", "empty body; send a JSON array of keys");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new HttpError(400, "bad_request", "the body is not JSON: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new HttpError(400, "bad_request", "the body cannot be read: " + e.getMessage());
    }
  }

  private static List<String> segments(String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    if (path.startsWith("http://") || path.startsWith("https://")) {
      int slash = path.indexOf('/', path.indexOf("//") + 2);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(decode(s));
      }
    }
    return out;
  }

  /** Percent-decoding of one path segment ({@code +} is a plus in a path, not a space). */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "bad_request", "bad percent-encoding in '" + segment + "'");
    }
  }

  private void send(HttpServerExchange ex, int status, Object body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
    sendBytes(ex, status, JSON, bytes);
  }

  private void error(HttpServerExchange ex, int status, String code, String message) {
    if (ex.isResponseStarted()) {
      return; // nothing more can be said; the connection closes
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    if (status == 503) {
      ex.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
    }
    send(ex, status, body);
  }

  private static void sendBytes(HttpServerExchange ex, int status, String type, byte[] bytes) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseSender().send(ByteBuffer.wrap(bytes));
  }
}
