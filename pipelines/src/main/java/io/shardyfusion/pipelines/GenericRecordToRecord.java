package io.shardyfusion.pipelines;

import io.shardyfusion.records.Record;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Converts an Avro generic record (from Avro or Parquet files) to a {@link Record}. Beam's
 * Avro and Parquet readers do not tell which file a record came from, so the record is named
 * by its format, the input pattern and its own content.
 */
final class GenericRecordToRecord implements SerializableFunction<GenericRecord, Record> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_SHOWN = 160;
  private final String what;

  GenericRecordToRecord(InputFormat format, String input) {
    this.what = format.wireName() + " record in " + input;
  }

  @Override
  public Record apply(GenericRecord r) {
    String shown = String.valueOf(r);
    if (shown.length() > MAX_SHOWN) {
      shown = shown.substring(0, MAX_SHOWN - 3) + "...";
    }
    String source = what + " " + shown;
    return new Record(source, Values.fromAvro(r, source), true);
  }
}
