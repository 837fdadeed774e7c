package io.shardyfusion.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * An HTTP proxy between the AWS SDK and a real S3 server (S3Proxy) that injects the failures
 * production S3 shows, per request pattern and count: a 500 InternalError or 503 SlowDown with
 * S3's XML error body, a connection reset while the client sends the request body, a reset
 * after the server handled the request (the client never learns the outcome), a reset or a
 * clean close halfway through the response body (Content-Length promises more than arrives),
 * a delay, and a request that is never answered. Every other request and response passes through byte for byte, so SigV4
 * signatures, {@code aws-chunked} uploads and checksums reach the server unchanged.
 *
 * <pre>{@code
 * try (S3FaultProxy proxy = S3FaultProxy.start(s3.endpointUri())) {
 *   S3FaultProxy.Rule rule = proxy.inject(S3FaultProxy.Requests.put(".*shard\\.db"),
 *       S3FaultProxy.Fault.slowDown(), S3FaultProxy.Times.first(2));
 *   // point the SDK at proxy.endpoint() (path-style), run the code under test
 *   assertThat(rule.injected()).isEqualTo(2);
 * }
 * }</pre>
 *
 * <p><b>Why a proxy of our own.</b> WireMock (the usual choice) injects its faults only into
 * stubbed answers: a proxied answer cannot be cut at a chosen byte with its real
 * Content-Length kept, a request body cannot be reset halfway, and a fault cannot be let
 * through to the server first (the "succeeded but the answer was lost" case). It also brings
 * Jetty into test-support, which every Spark and Flink runner test puts on its classpath (the
 * reason S3Proxy itself runs in its own process). Toxiproxy is not on Maven Central and works
 * on TCP streams, with no notion of an S3 request to match. Netty clashes with Spark's. So
 * this is plain JDK sockets, one thread per client connection, HTTP/1.1 framing
 * (Content-Length and chunked) and nothing else; fine for tests, not for production traffic.
 *
 * <p>Requests are matched on method, bucket-relative key (URL-decoded; path-style addressing
 * only, which is how tests reach S3Proxy) and query. The first rule that matches and whose
 * count is not spent injects; {@link Rule#matched()} and {@link Rule#injected()} count what
 * each rule saw and did. {@code Expect: 100-continue} is answered by the proxy itself (and
 * removed before forwarding; the SDK does not sign it).
 */
public final class S3FaultProxy implements Closeable {
  private static final int MAX_HEAD_BYTES = 64 * 1024;

  private final URI target;
  private final ServerSocket server;
  private final ExecutorService threads;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean closed;

  private S3FaultProxy(URI target, ServerSocket server) {
    this.target = target;
    this.server = server;
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "s3-fault-proxy-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts a proxy to {@code target} (an {@code http://host:port} S3 endpoint) on a free port. */
  public static S3FaultProxy start(URI target) {
    Objects.requireNonNull(target, "target");
    if (!"http".equals(target.getScheme()) || target.getPort() < 0) {
      throw new IllegalArgumentException("target must be http://host:port, got " + target);
    }
    try {
      ServerSocket server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      S3FaultProxy proxy = new S3FaultProxy(target, server);
      proxy.threads.execute(proxy::acceptLoop);
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the fault proxy's port", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}: give this to the SDK instead of the server's endpoint. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /**
   * Adds a rule: requests {@code match} accepts get {@code fault} as {@code times} says.
   * Rules are tried in the order added.
   */
  public Rule inject(Predicate<Request> match, Fault fault, Times times) {
    Rule r = new Rule(match, fault, times);
    rules.add(r);
    return r;
  }

  /** Removes every rule; requests pass through again. */
  public void clearRules() {
    rules.clear();
  }

  /** The rules in the order added (spent ones included). */
  public List<Rule> rules() {
    return List.copyOf(rules);
  }

  /** Requests seen since start, faulted or not. */
  public int requestCount() {
    return requests.get();
  }

  /** Faults injected by every rule added since start or the last {@link #clearRules()}. */
  public int injectedTotal() {
    return rules.stream().mapToInt(Rule::injected).sum();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(S3FaultProxy::closeQuietly);
    threads.shutdownNow();
  }

  // ---------------------------------------------------------------- what rules match and do

  /** One request as a rule sees it. */
  public record Request(String method, String bucket, String key, Map<String, String> query) {
    /** Whether the query has parameter {@code name} (with or without a value). */
    public boolean hasParam(String name) {
      return query.containsKey(name);
    }

    @Override
    public String toString() {
      return method + " /" + bucket + "/" + key + (query.isEmpty() ? "" : " " + query);
    }
  }

  /** Ready-made request patterns; combine them with {@link Predicate#and} and friends. */
  public static final class Requests {
    private Requests() {}

    /** Object uploads (PutObject) whose key matches {@code keyRegex} (whole key). */
    public static Predicate<Request> put(String keyRegex) {
      return method("PUT", keyRegex);
    }

    /** Object downloads (GetObject, not listings) whose key matches {@code keyRegex}. */
    public static Predicate<Request> get(String keyRegex) {
      return method("GET", keyRegex).and(r -> !isList(r));
    }

    /** Single-object deletes whose key matches {@code keyRegex}. */
    public static Predicate<Request> delete(String keyRegex) {
      return method("DELETE", keyRegex);
    }

    /** ListObjectsV2 (any page) whose {@code prefix} parameter matches {@code prefixRegex}. */
    public static Predicate<Request> list(String prefixRegex) {
      Pattern p = Pattern.compile(prefixRegex);
      return r -> isList(r) && p.matcher(r.query().getOrDefault("prefix", "")).matches();
    }

    /** DeleteObjects (the batch delete, {@code POST ?delete}). */
    public static Predicate<Request> batchDelete() {
      return r -> r.method().equals("POST") && r.hasParam("delete");
    }

    /** Any request. */
    public static Predicate<Request> any() {
      return r -> true;
    }

    private static Predicate<Request> method(String method, String keyRegex) {
      Pattern p = Pattern.compile(keyRegex);
      return r -> r.method().equals(method) && !r.key().isEmpty() && p.matcher(r.key()).matches();
    }

    private static boolean isList(Request r) {
      return r.method().equals("GET") && r.key().isEmpty() && r.hasParam("list-type");
    }
  }

  /** What to do to a matching request. */
  public static final class Fault {
    /** How the fault acts. */
    public enum Kind {
      /** Answer with this status and S3 error code, without forwarding the request. */
      ERROR_RESPONSE,
      /** Read part of the request body, then reset the connection (nothing is forwarded). */
      RESET_DURING_REQUEST_BODY,
      /** Forward the request, let the server handle it, then reset instead of answering. */
      RESET_BEFORE_RESPONSE,
      /** Forward, send the answer's head and half its body, then reset. */
      RESET_DURING_RESPONSE_BODY,
      /** Forward, send the head (its full Content-Length) and half the body, then close. */
      TRUNCATE_RESPONSE_BODY,
      /** Wait, then forward normally. */
      DELAY,
      /** Read the request, wait, then reset without forwarding: a server that never answers. */
      HANG
    }

    private final Kind kind;
    private final int status;
    private final String code;
    private final Duration delay;

    private Fault(Kind kind, int status, String code, Duration delay) {
      this.kind = kind;
      this.status = status;
      this.code = code;
      this.delay = delay;
    }

    /** 500 InternalError (S3's "We encountered an internal error. Please try again."). */
    public static Fault internalError() {
      return error(500, "InternalError");
    }

    /** 503 SlowDown: S3's throttling answer. */
    public static Fault slowDown() {
      return error(503, "SlowDown");
    }

    /** Any status with an S3 error code, e.g. {@code error(403, "AccessDenied")}. */
    public static Fault error(int status, String code) {
      return new Fault(Kind.ERROR_RESPONSE, status, Objects.requireNonNull(code), Duration.ZERO);
    }

    public static Fault resetDuringRequestBody() {
      return new Fault(Kind.RESET_DURING_REQUEST_BODY, 0, null, Duration.ZERO);
    }

    public static Fault resetBeforeResponse() {
      return new Fault(Kind.RESET_BEFORE_RESPONSE, 0, null, Duration.ZERO);
    }

    public static Fault resetDuringResponseBody() {
      return new Fault(Kind.RESET_DURING_RESPONSE_BODY, 0, null, Duration.ZERO);
    }

    public static Fault truncateResponseBody() {
      return new Fault(Kind.TRUNCATE_RESPONSE_BODY, 0, null, Duration.ZERO);
    }

    public static Fault delay(Duration d) {
      return new Fault(Kind.DELAY, 0, null, Objects.requireNonNull(d));
    }

    /**
     * Holds the request for {@code d} and then resets, never forwarding it: with {@code d}
     * longer than the client's read timeout, a timeout the server knows nothing of (unlike
     * {@link #delay}, whose request still lands after the client gave up).
     */
    public static Fault hang(Duration d) {
      return new Fault(Kind.HANG, 0, null, Objects.requireNonNull(d));
    }

    public Kind kind() {
      return kind;
    }

    @Override
    public String toString() {
      return switch (kind) {
        case ERROR_RESPONSE -> status + " " + code;
        case DELAY -> "delay " + delay.toMillis() + " ms";
        case HANG -> "hang " + delay.toMillis() + " ms";
        default -> kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
      };
    }
  }

  /** Which of the matching requests a rule faults. */
  public static final class Times {
    private final int from;
    private final int to;

    private Times(int from, int to) {
      this.from = from;
      this.to = to;
    }

    /** The first {@code n} matching requests. */
    public static Times first(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("n must be >= 1, got " + n);
      }
      return new Times(1, n);
    }

    /** Only the {@code n}th matching request (1-based). */
    public static Times nth(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("n must be >= 1, got " + n);
      }
      return new Times(n, n);
    }

    /** Every matching request. */
    public static Times always() {
      return new Times(1, Integer.MAX_VALUE);
    }

    boolean covers(int match) {
      return match >= from && match <= to;
    }

    boolean spentAfter(int matched) {
      return matched >= to;
    }
  }

  /** A rule and its counters. */
  public static final class Rule {
    private final Predicate<Request> match;
    private final Fault fault;
    private final Times times;
    private final AtomicInteger matched = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final List<String> log = new CopyOnWriteArrayList<>();

    private Rule(Predicate<Request> match, Fault fault, Times times) {
      this.match = Objects.requireNonNull(match, "match");
      this.fault = Objects.requireNonNull(fault, "fault");
      this.times = Objects.requireNonNull(times, "times");
    }

    /** Requests this rule matched while it was not spent. */
    public int matched() {
      return matched.get();
    }

    /** Faults this rule injected. */
    public int injected() {
      return injected.get();
    }

    /** The requests faulted, in order (for failure messages). */
    public List<String> log() {
      return List.copyOf(log);
    }

    public Fault fault() {
      return fault;
    }

    /** Counts the request and says whether to fault it; a spent rule does not match. */
    private synchronized boolean decide(Request r) {
      if (times.spentAfter(matched.get()) || !match.test(r)) {
        return false;
      }
      int n = matched.incrementAndGet();
      if (times.covers(n)) {
        injected.incrementAndGet();
        log.add(r.toString());
        return true;
      }
      return false;
    }

    @Override
    public String toString() {
      return fault + " (" + injected() + " injected of " + matched() + " matched)";
    }
  }

  // --------------------------------------------------------------------------- the proxying

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        open.add(client);
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        if (!closed) {
          // A failed accept is not fatal to the other connections; try the next one.
          continue;
        }
        return;
      }
    }
  }

  /** One client connection: requests in turn (keep-alive), each on the upstream connection. */
  private void serve(Socket client) {
    Socket upstream = null;
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      while (!closed) {
        Head head = Head.read(in);
        if (head == null) {
          return; // the client closed its connection between requests
        }
        requests.incrementAndGet();
        Request request = head.toRequest();
        Fault fault = null;
        for (Rule r : rules) {
          if (r.decide(request)) {
            fault = r.fault;
            break;
          }
        }
        boolean expectContinue = head.removeHeader("Expect").map(v ->
            v.equalsIgnoreCase("100-continue")).orElse(false);
        if (expectContinue) {
          out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
        if (fault != null && fault.kind == Fault.Kind.RESET_DURING_REQUEST_BODY) {
          long length = head.contentLength();
          readBodyPrefix(in, head, Math.max(1, length / 2));
          reset(client);
          return;
        }
        byte[] requestBody = readBody(in, head, false);
        if (fault != null && fault.kind == Fault.Kind.ERROR_RESPONSE) {
          writeError(out, head, request, fault);
          continue;
        }
        if (fault != null && fault.kind == Fault.Kind.HANG) {
          Thread.sleep(fault.delay.toMillis());
          reset(client);
          return;
        }
        if (fault != null && fault.kind == Fault.Kind.DELAY) {
          Thread.sleep(fault.delay.toMillis());
        }
        if (upstream == null || upstream.isClosed()) {
          upstream = connectUpstream();
        }
        OutputStream up = upstream.getOutputStream();
        up.write(head.bytes());
        up.write(requestBody);
        up.flush();
        InputStream upIn = upstream.getInputStream();
        Head response = Head.read(upIn);
        if (response == null) {
          throw new EOFException("the server closed the connection without answering");
        }
        boolean noBody = head.method.equals("HEAD") || response.status() == 204
            || response.status() == 304;
        boolean closeDelimited = !noBody && response.contentLength() < 0 && !response.chunked();
        byte[] responseBody = noBody ? new byte[0] : readBody(upIn, response, closeDelimited);
        if (closeDelimited) {
          closeQuietly(upstream);
          upstream = null;
        }
        if (fault != null && fault.kind == Fault.Kind.RESET_BEFORE_RESPONSE) {
          reset(client);
          return;
        }
        if (fault != null && (fault.kind == Fault.Kind.RESET_DURING_RESPONSE_BODY
            || fault.kind == Fault.Kind.TRUNCATE_RESPONSE_BODY)) {
          out.write(response.bytes());
          out.write(responseBody, 0, responseBody.length / 2);
          out.flush();
          if (fault.kind == Fault.Kind.RESET_DURING_RESPONSE_BODY) {
            reset(client);
          }
          return; // try-with-resources closes cleanly: a truncated body
        }
        out.write(response.bytes());
        out.write(responseBody);
        out.flush();
        if (closeDelimited || response.headerIs("Connection", "close")) {
          return;
        }
      }
    } catch (IOException e) {
      // The client or the server went away; this connection is done.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(client);
      if (upstream != null) {
        closeQuietly(upstream);
      }
    }
  }

  private Socket connectUpstream() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
    open.add(s);
    return s;
  }

  private static void writeError(OutputStream out, Head head, Request request, Fault fault)
      throws IOException {
    String requestId = "fault-" + Long.toHexString(System.nanoTime());
    String message = fault.status == 503 ? "Please reduce your request rate."
        : fault.status == 500 ? "We encountered an internal error. Please try again."
        : "Injected by S3FaultProxy.";
    byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + fault.code
        + "</Code><Message>" + message + "</Message><Resource>/" + request.bucket() + "/"
        + request.key() + "</Resource><RequestId>" + requestId + "</RequestId></Error>")
        .getBytes(StandardCharsets.UTF_8);
    boolean head0 = head.method.equals("HEAD");
    String reason = fault.status == 503 ? "Slow Down" : fault.status == 500
        ? "Internal Server Error" : "Error";
    String response = "HTTP/1.1 " + fault.status + " " + reason + "\r\n"
        + "Content-Type: application/xml\r\n"
        + "x-amz-request-id: " + requestId + "\r\n"
        + "Content-Length: " + (head0 ? 0 : body.length) + "\r\n\r\n";
    out.write(response.getBytes(StandardCharsets.ISO_8859_1));
    if (!head0) {
      out.write(body);
    }
    out.flush();
  }

  /** The message body as sent (chunk framing included), or until EOF when close-delimited. */
  private static byte[] readBody(InputStream in, Head head, boolean untilEof) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (head.chunked()) {
      copyChunked(in, body);
    } else if (head.contentLength() >= 0) {
      copyExactly(in, body, head.contentLength());
    } else if (untilEof) {
      in.transferTo(body);
    }
    return body.toByteArray();
  }

  /** Reads up to {@code n} bytes of the body, for a reset halfway through it. */
  private static void readBodyPrefix(InputStream in, Head head, long n) throws IOException {
    long length = head.contentLength();
    long want = length >= 0 ? Math.min(n, length) : n;
    byte[] buf = new byte[8192];
    while (want > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, want));
      if (r < 0) {
        return;
      }
      want -= r;
    }
  }

  private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new EOFException(n + " bytes of the body missing");
      }
      out.write(buf, 0, r);
      n -= r;
    }
  }

  private static void copyChunked(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String sizeLine = readLine(in);
      out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      int semi = sizeLine.indexOf(';');
      long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        // trailers, then the empty line
        String line;
        do {
          line = readLine(in);
          out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        } while (!line.isEmpty());
        return;
      }
      copyExactly(in, out, size + 2); // data and its CRLF
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      sb.append((char) c);
      if (sb.length() > MAX_HEAD_BYTES) {
        throw new IOException("line longer than " + MAX_HEAD_BYTES + " bytes");
      }
    }
    throw new EOFException("connection closed mid-line");
  }

  /** Closes with RST instead of FIN: what a crashed server or a broken middlebox sends. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException e) {
      // closing anyway
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing more to do
    }
  }

  /** A request or response head: the start line and headers, kept in order. */
  private static final class Head {
    private final String startLine;
    private final List<String[]> headers;
    final String method;

    private Head(String startLine, List<String[]> headers) {
      this.startLine = startLine;
      this.headers = headers;
      this.method = startLine.split(" ", 2)[0];
    }

    /** Null at a clean end of stream before the first byte. */
    static Head read(InputStream in) throws IOException {
      String start;
      try {
        start = readLine(in);
      } catch (EOFException e) {
        return null;
      }
      List<String[]> headers = new ArrayList<>();
      int total = start.length();
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        total += line.length();
        if (total > MAX_HEAD_BYTES) {
          throw new IOException("head longer than " + MAX_HEAD_BYTES + " bytes");
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IOException("malformed header line: " + line);
        }
        headers.add(new String[] {line.substring(0, colon).trim(),
            line.substring(colon + 1).trim()});
      }
      return new Head(start, headers);
    }

    int status() {
      return Integer.parseInt(startLine.split(" ", 3)[1]);
    }

    java.util.Optional<String> header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return java.util.Optional.of(h[1]);
        }
      }
      return java.util.Optional.empty();
    }

    boolean headerIs(String name, String value) {
      return header(name).map(v -> v.equalsIgnoreCase(value)).orElse(false);
    }

    java.util.Optional<String> removeHeader(String name) {
      java.util.Optional<String> v = header(name);
      headers.removeIf(h -> h[0].equalsIgnoreCase(name));
      return v;
    }

    long contentLength() {
      return header("Content-Length").map(Long::parseLong).orElse(-1L);
    }

    boolean chunked() {
      return header("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
          .orElse(false);
    }

    byte[] bytes() {
      StringBuilder sb = new StringBuilder(startLine).append("\r\n");
      for (String[] h : headers) {
        sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    Request toRequest() {
      String target = startLine.split(" ", 3)[1];
      int q = target.indexOf('?');
      String path = decode(q < 0 ? target : target.substring(0, q));
      Map<String, String> query = new LinkedHashMap<>();
      if (q >= 0) {
        for (String p : target.substring(q + 1).split("&")) {
          if (p.isEmpty()) {
            continue;
          }
          int eq = p.indexOf('=');
          query.put(decode(eq < 0 ? p : p.substring(0, eq)), eq < 0 ? "" : decode(p.substring(eq + 1)));
        }
      }
      String p = path.startsWith("/") ? path.substring(1) : path;
      int slash = p.indexOf('/');
      String bucket = slash < 0 ? p : p.substring(0, slash);
      String key = slash < 0 ? "" : p.substring(slash + 1);
      return new Request(method, bucket, key, Map.copyOf(query));
    }

    private static String decode(String s) {
      // '+' is a literal plus in S3 paths; only %XX is an escape.
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
  }
}
