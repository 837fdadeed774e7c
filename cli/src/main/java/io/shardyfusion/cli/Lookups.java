package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import java.util.Map;

/** The output row of one looked-up key, shared by get and multiget. */
final class Lookups {
  private Lookups() {}

  /** @param nullRepr the value shown for a missing key (reader.toml's null_repr), null = none */
  static Map<String, Object> row(String typed, Object key, byte[] value, ValueFormat format,
      String nullRepr) {
    Map<String, Object> row = fields("key", KeyParser.display(typed, key), "found",
        value != null);
    if (value != null) {
      row.put("value", format.render(value));
      row.put("value_encoding", format.resolve(value).toString());
    } else if (nullRepr != null) {
      row.put("value", nullRepr);
    }
    return row;
  }
}
