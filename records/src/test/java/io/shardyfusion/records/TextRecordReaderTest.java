package io.shardyfusion.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextRecordReaderTest {

  static List<Record> all(TextRecordReader r) {
    List<Record> out = new ArrayList<>();
    r.forEachRemaining(out::add);
    return out;
  }

  @Test
  void jsonlRecordsAreTypedAndNamedByLineSkippingBlankLines() {
    TextRecordReader r = TextRecordReader.jsonl("f.jsonl",
        new StringReader("{\"id\": 1, \"n\": {\"a\": [1.5, null]}}\n\n  \n{\"id\": 2}\n"));
    Record first = r.next();
    assertThat(first.source()).isEqualTo("f.jsonl:1");
    assertThat(first.typed()).isTrue();
    assertThat(first.fields()).containsEntry("id", 1L);
    assertThat(r.text()).isEqualTo("{\"id\": 1, \"n\": {\"a\": [1.5, null]}}");
    Record second = r.next();
    assertThat(second.source()).isEqualTo("f.jsonl:4");
    assertThat(r.lineNumber()).isEqualTo(4);
    assertThat(r.hasNext()).isFalse();
  }

  @Test
  void badJsonlNamesTheLine() {
    TextRecordReader r = TextRecordReader.jsonl("f.jsonl", new StringReader("{\"id\": 1}\n[1]\n"));
    r.next();
    assertThatThrownBy(r::next).isInstanceOfSatisfying(BadRecordException.class, e -> {
      assertThat(e.source()).isEqualTo("f.jsonl:2");
      assertThat(e.problem()).startsWith("expected a JSON object, got array");
    });
    assertThatThrownBy(() -> all(TextRecordReader.jsonl("g", new StringReader("{\"id\": 2,\n"))))
        .hasMessageStartingWith("g:1: not valid JSON");
  }

  @Test
  void csvRecordsAreUntypedWithQuotedNewlinesAndStartLines() {
    List<Record> rows = all(TextRecordReader.csv("p.csv",
        new StringReader("id,name\n1,\"Ada, \"\"the\"\"\nfirst\"\n2,Grace\n")));
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).fields()).isEqualTo(Map.of("id", "1",
        "name", "Ada, \"the\"\nfirst"));
    assertThat(rows.get(0).typed()).isFalse();
    assertThat(rows.get(1).source()).isEqualTo("p.csv:4");
  }

  @Test
  void csvProblemsNameTheRow() {
    assertThatThrownBy(() -> all(TextRecordReader.csv("p.csv",
        new StringReader("id,name\n1,a\n2,b,c\n"))))
        .hasMessageContaining("p.csv:3: row has 3 fields but the header names 2");
    assertThatThrownBy(() -> TextRecordReader.csv("d.csv", new StringReader("id,id\n1,2\n")))
        .hasMessageStartingWith("d.csv:1: bad CSV header row");
  }
}
