package io.shardyfusion.pipelines;

import io.shardyfusion.records.Record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small pieces: format detection, pattern and boundary parsing, the record coder. */
class PartsTest {

  @Test
  void formatComesFromTheExtensionAfterACompressionSuffix() {
    assertThat(InputFormat.fromFileName("a/users.jsonl")).isEqualTo(InputFormat.JSONL);
    assertThat(InputFormat.fromFileName("users.ndjson.gz")).isEqualTo(InputFormat.JSONL);
    assertThat(InputFormat.fromFileName("x.CSV.bz2")).isEqualTo(InputFormat.CSV);
    assertThat(InputFormat.fromFileName("part-0.parquet")).isEqualTo(InputFormat.PARQUET);
    assertThat(InputFormat.fromFileName("e.avro")).isEqualTo(InputFormat.AVRO);
    assertThat(InputFormat.fromFileName("dir.v2/README")).isNull();
    assertThat(InputFormat.fromFileName("notes.txt")).isNull();
    assertThat(InputFormat.parse("Parquet")).isEqualTo(InputFormat.PARQUET);
    assertThatThrownBy(() -> InputFormat.parse("orc")).isInstanceOf(
        ConfigValidationException.class).hasMessageContaining("jsonl, csv, parquet or avro");
  }

  @Test
  void patternsSplitOnCommasOutsideGlobBraces() {
    assertThat(BuildSnapshot.splitPatterns("a/*.jsonl, b/{x,y}.jsonl,,c.jsonl"))
        .containsExactly("a/*.jsonl", "b/{x,y}.jsonl", "c.jsonl");
    assertThatThrownBy(() -> BuildSnapshot.splitPatterns(" , "))
        .hasMessageContaining("--input is empty");
  }

  @Test
  void boundariesAreIntegersThenDecimalsThenStrings() {
    assertThat(BuildSnapshot.boundaries("10, 20,30")).containsExactly(10L, 20L, 30L);
    assertThat(BuildSnapshot.boundaries("1.5,20")).containsExactly(1.5, 20.0);
    assertThat(BuildSnapshot.boundaries("g,p")).containsExactly("g", "p");
  }

  @Test
  void recordCoderRoundTripsEveryValueType() throws Exception {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("k", List.of(1L, "two", Boolean.FALSE));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("l", Long.MIN_VALUE);
    fields.put("d", 2.5);
    fields.put("t", Boolean.TRUE);
    fields.put("s", "héllo \u0000 \uD83D\uDE00");
    fields.put("b", new byte[] {1, 2, (byte) 0xFF});
    fields.put("n", null);
    fields.put("bi", new BigInteger("123456789012345678901234567890"));
    fields.put("bd", new BigDecimal("1.000000000000000000001"));
    fields.put("m", nested);
    Record r = new Record("f.jsonl:3", fields, true);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordCoder.of().encode(r, out);
    Record back = RecordCoder.of().decode(new ByteArrayInputStream(out.toByteArray()));

    assertThat(back.source()).isEqualTo("f.jsonl:3");
    assertThat(back.typed()).isTrue();
    assertThat(back.fields().keySet()).containsExactlyElementsOf(fields.keySet());
    for (String k : fields.keySet()) {
      if (k.equals("b")) {
        assertThat(Arrays.equals((byte[]) back.get(k), (byte[]) fields.get(k))).isTrue();
      } else {
        assertThat(back.get(k)).as(k).isEqualTo(fields.get(k));
      }
    }
  }
}
