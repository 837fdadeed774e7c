package io.shardyfusion.writer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardyfusion.backend.sqlite.SqliteBackend;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

/**
 * What a writer publishes by default is the Python system's snapshot: checked on the bytes
 * with plain SQLite and Jackson, field by field as PYTHON-FORMAT.md states them, not through
 * this project's own decoder.
 */
class PythonFormatWriteTest {
  private static final String TS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";
  @TempDir Path tmp;

  @Test
  void aSqliteSnapshotIsWrittenInThePythonLayoutAndManifest() throws Exception {
    String prefix = tmp.resolve("store").toUri().toString().replaceAll("/$", "");
    WriteConfig config = WriteConfig.builder().numDbs(4).s3Prefix(prefix)
        .tempDir(tmp.resolve("build")).shardBackend(SqliteBackend.defaults()).build();
    List<Long> keys = LongStream.range(0, 2_000).boxed().toList();
    BuildResult run = SnapshotWriter.writeSharded(keys, config, k -> k,
        k -> ("v" + k).getBytes(StandardCharsets.UTF_8));
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));

    // _CURRENT: compact JSON, sorted keys, the manifest's content type.
    String current = new String(store.get(SnapshotLayout.CURRENT), StandardCharsets.UTF_8);
    JsonNode pointer = new ObjectMapper().readTree(current);
    assertThat(fieldNames(pointer)).containsExactly("format_version", "manifest_content_type",
        "manifest_ref", "run_id", "updated_at");
    assertThat(current).doesNotContain("\n").doesNotContain("\": ");
    assertThat(pointer.get("manifest_content_type").asText()).isEqualTo("application/x-sqlite3");
    assertThat(pointer.get("format_version").asInt()).isEqualTo(1);
    String manifestKey = store.keyOf(pointer.get("manifest_ref").asText());
    assertThat(manifestKey).matches("manifests/" + TS + "_run_id=" + run.runId() + "/manifest");

    byte[] manifest = store.get(manifestKey);
    assertThat(new String(manifest, 0, 16, StandardCharsets.US_ASCII))
        .isEqualTo("SQLite format 3\0");
    try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite::memory:", new Properties())) {
      ((SQLiteConnection) c).deserialize("main", manifest);
      try (Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT * FROM build_meta")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt("format_version")).isEqualTo(4);
          assertThat(rs.getString("run_id")).isEqualTo(run.runId());
          assertThat(rs.getString("created_at")).matches(TS);
          assertThat(rs.getInt("num_dbs")).isEqualTo(4);
          assertThat(rs.getString("s3_prefix")).isEqualTo(prefix);
          assertThat(rs.getString("db_path_template")).isEqualTo("db={db_id:05d}");
          assertThat(rs.getString("shard_prefix")).isEqualTo("shards");
          assertThat(rs.getString("key_encoding")).isEqualTo("u64be");
          JsonNode sharding = new ObjectMapper().readTree(rs.getString("sharding"));
          assertThat(fieldNames(sharding)).containsExactly("cel_columns", "cel_expr",
              "hash_algorithm", "routing_values", "strategy");
          assertThat(sharding.get("strategy").asText()).isEqualTo("hash");
          assertThat(sharding.get("hash_algorithm").asText()).isEqualTo("xxh3_64");
          assertThat(new ObjectMapper().readTree(rs.getString("custom")).isObject()).isTrue();
          assertThat(rs.next()).as("one build_meta row").isFalse();
        }
        int rows = 0;
        try (ResultSet rs = s.executeQuery("SELECT db_id, db_url, attempt, typeof(attempt), "
            + "row_count, db_bytes, min_key, max_key, checkpoint_id, writer_info FROM shards "
            + "ORDER BY db_id")) {
          while (rs.next()) {
            rows++;
            int dbId = rs.getInt(1);
            assertThat(rs.getString(4)).isEqualTo("integer");
            String attemptDir = String.format("attempt=%02d", rs.getLong(3));
            assertThat(rs.getString(2)).isEqualTo(String.format(
                "%s/shards/run_id=%s/db=%05d/%s", prefix, run.runId(), dbId, attemptDir));
            assertThat(rs.getString(9)).matches("[0-9a-f]{32}");
            assertThat(new ObjectMapper().readTree(rs.getString(7)).isIntegralNumber()).isTrue();
            JsonNode info = new ObjectMapper().readTree(rs.getString(10));
            assertThat(info.get("attempt").asLong()).isEqualTo(rs.getLong(3));
            assertThat(info.has("duration_ms")).isTrue();
            assertThat(store.list(store.keyOf(rs.getString(2)) + "/")).extracting(ObjectInfo::key)
                .containsExactly(store.keyOf(rs.getString(2)) + "/shard.db");
            assertThat(rs.getLong(6)).isEqualTo(store.list(store.keyOf(rs.getString(2)) + "/")
                .get(0).size());
          }
        }
        assertThat(rows).isEqualTo(run.winners().size()).isEqualTo(4);
      }
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }
}
