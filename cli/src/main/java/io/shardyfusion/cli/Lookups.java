package io.shardyfusion.cli;

import static io.shardyfusion.cli.Result.fields;

import java.util.Map;

/** The output row of one looked-up key, shared by get and multiget. */
final class Lookups {
  private Lookups() {}

  static Map<String, Object> row(String typed, Object key, byte[] value, ValueFormat format) {
    Map<String, Object> row = fields("key", KeyParser.display(typed, key), "found",
        value != null);
    if (value != null) {
      row.put("value", format.render(value));
      row.put("value_encoding", format.resolve(value).toString());
    }
    return row;
  }
}
