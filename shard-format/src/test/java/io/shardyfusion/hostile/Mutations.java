package io.shardyfusion.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Deterministic mutations for the fuzz properties: the same seed gives the same input, so a
 * failing seed jqwik reports reproduces exactly. Byte-level mutations (flips, interesting bytes,
 * inserts, deletes, truncation, duplicated ranges) and, for JSON, structural ones (a random node
 * replaced by an edge value, removed, or given a sibling).
 */
public final class Mutations {
  private static final byte[] INTERESTING = {0, '"', '{', '}', '[', ']', ',', ':', '\\', '-',
      '9', '0', '.', 'e', '/', '%', (byte) 0xff, (byte) 0xc3, '\n', ' '};
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Mutations() {}

  /** One to eight byte-level mutations of {@code base}. */
  public static byte[] bytes(byte[] base, Random r) {
    byte[] b = base.clone();
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n && b.length > 0; i++) {
      int at = r.nextInt(b.length);
      switch (r.nextInt(7)) {
        case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
        case 1 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
        case 2 -> {
          byte[] out = new byte[b.length + 1];
          System.arraycopy(b, 0, out, 0, at);
          out[at] = INTERESTING[r.nextInt(INTERESTING.length)];
          System.arraycopy(b, at, out, at + 1, b.length - at);
          b = out;
        }
        case 3 -> {
          int len = Math.min(b.length - at, 1 + r.nextInt(16));
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          b = out;
        }
        case 4 -> b = Arrays.copyOf(b, at);
        case 5 -> {
          int len = Math.min(b.length - at, 1 + r.nextInt(64));
          byte[] out = new byte[b.length + len];
          System.arraycopy(b, 0, out, 0, at + len);
          System.arraycopy(b, at, out, at + len, b.length - at);
          b = out;
        }
        default -> b[at] = (byte) r.nextInt(256);
      }
    }
    return b;
  }

  /** An edge value: extreme numbers, path tricks, control characters, empty containers. */
  public static JsonNode edgeValue(Random r) {
    return switch (r.nextInt(24)) {
      case 0 -> F.numberNode(-1);
      case 1 -> F.numberNode(0);
      case 2 -> F.numberNode(Integer.MAX_VALUE);
      case 3 -> F.numberNode(1L << 31);
      case 4 -> F.numberNode(Long.MAX_VALUE);
      case 5 -> F.numberNode(Long.MIN_VALUE);
      case 6 -> F.numberNode(new BigInteger("18446744073709551617"));
      case 7 -> F.numberNode(1e308);
      case 8 -> F.numberNode(0.5);
      case 9 -> F.textNode("");
      case 10 -> F.textNode("../../../etc/passwd");
      case 11 -> F.textNode("a\u0000b");
      case 12 -> F.textNode("%2e%2e");
      case 13 -> F.textNode("x".repeat(5000));
      case 14 -> F.nullNode();
      case 15 -> F.arrayNode();
      case 16 -> F.objectNode();
      case 17 -> F.objectNode().put("base64", "!!");
      case 18 -> F.booleanNode(r.nextBoolean());
      case 19 -> F.textNode("s3://other-bucket/x");
      case 20 -> F.textNode("2024-02-30T25:61:00Z");
      case 21 -> F.arrayNode().add(1).add(1).add("a").addNull();
      case 22 -> F.textNode("cel");
      default -> F.textNode("\ud800");
    };
  }

  /** One to four structural mutations of a JSON tree (in place). */
  public static void tree(JsonNode root, Random r) {
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(root, containers);
      JsonNode c = containers.get(r.nextInt(containers.size()));
      if (c instanceof ObjectNode o) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
          names.add(it.next());
        }
        int action = r.nextInt(4);
        if (names.isEmpty() || action == 3) {
          o.set(names.isEmpty() || r.nextBoolean() ? "extra_" + r.nextInt(4)
              : names.get(r.nextInt(names.size())), edgeValue(r));
        } else if (action == 2) {
          o.remove(names.get(r.nextInt(names.size())));
        } else {
          o.set(names.get(r.nextInt(names.size())), edgeValue(r));
        }
      } else if (c instanceof ArrayNode a) {
        if (a.isEmpty() || r.nextInt(3) == 0) {
          a.add(r.nextBoolean() && !a.isEmpty() ? a.get(0).deepCopy() : edgeValue(r));
        } else if (r.nextBoolean()) {
          a.remove(r.nextInt(a.size()));
        } else {
          a.set(r.nextInt(a.size()), edgeValue(r));
        }
      }
    }
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      n.elements().forEachRemaining(c -> collect(c, out));
    }
  }
}
