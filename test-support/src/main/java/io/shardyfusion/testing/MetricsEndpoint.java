package io.shardyfusion.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A real Prometheus text endpoint for tests: a JDK {@code HttpServer} on loopback answering
 * {@code GET /metrics} with what {@code body} returns (e.g. {@code registry::scrape}), scraped
 * over HTTP with the JDK client, and a parser of the text exposition format that is just enough
 * to look samples up by name and labels.
 *
 * <pre>{@code
 * try (MetricsEndpoint endpoint = MetricsEndpoint.start(prometheus::scrape)) {
 *   MetricsEndpoint.Scrape s = endpoint.scrape();
 *   s.value("shardyfusion_reader_keys_found_total");
 * }
 * }</pre>
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  private MetricsEndpoint(HttpServer server) {
    this.server = server;
  }

  public static MetricsEndpoint start(Supplier<String> body) {
    try {
      HttpServer server = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/metrics", exchange -> {
        byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      });
      server.start();
      return new MetricsEndpoint(server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
  }

  /** Fetches the endpoint over HTTP and parses it. */
  public Scrape scrape() {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri()).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + uri() + " answered " + r.statusCode());
      }
      return Scrape.parse(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** One sample line: metric name, labels, value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** A parsed scrape. */
  public record Scrape(String text, List<Sample> samples) {

    public static Scrape parse(String text) {
      List<Sample> out = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        out.add(parseLine(line));
      }
      return new Scrape(text, List.copyOf(out));
    }

    private static Sample parseLine(String line) {
      int brace = line.indexOf('{');
      int space;
      String name;
      Map<String, String> labels = new TreeMap<>();
      if (brace >= 0 && brace < line.indexOf(' ')) {
        name = line.substring(0, brace);
        int i = brace + 1;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String key = line.substring(i, eq).trim();
          StringBuilder v = new StringBuilder();
          int j = eq + 2; // past ="
          for (; line.charAt(j) != '"'; j++) {
            char c = line.charAt(j);
            if (c == '\\') {
              c = line.charAt(++j);
              v.append(c == 'n' ? '\n' : c);
            } else {
              v.append(c);
            }
          }
          labels.put(key, v.toString());
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        space = line.indexOf(' ', i);
      } else {
        space = line.indexOf(' ');
        name = line.substring(0, space);
      }
      String rest = line.substring(space + 1).trim();
      int end = rest.indexOf(' ');
      String number = end < 0 ? rest : rest.substring(0, end); // drop a timestamp
      double value = switch (number) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(number);
      };
      return new Sample(name, Map.copyOf(labels), value);
    }

    /** Samples named {@code name} whose labels include every given pair (k1, v1, k2, v2…). */
    public List<Sample> find(String name, String... labelPairs) {
      List<Sample> out = new ArrayList<>();
      for (Sample s : samples) {
        if (!s.name().equals(name)) {
          continue;
        }
        boolean match = true;
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
          if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
            match = false;
            break;
          }
        }
        if (match) {
          out.add(s);
        }
      }
      return out;
    }

    /** The value of the one sample matching, or empty if none; fails if several match. */
    public OptionalDouble value(String name, String... labelPairs) {
      List<Sample> found = find(name, labelPairs);
      if (found.size() > 1) {
        throw new IllegalStateException(found.size() + " samples match " + name + " "
            + List.of(labelPairs) + ": " + found);
      }
      return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(found.get(0).value());
    }

    /** As {@link #value}, failing when the sample is absent. */
    public double require(String name, String... labelPairs) {
      return value(name, labelPairs).orElseThrow(() -> new AssertionError("no sample " + name
          + " " + List.of(labelPairs) + " in the scrape:\n" + text));
    }
  }
}
