package io.shardyfusion.pipelines;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of {@link BuildSnapshot}. Every option is also a command-line flag:
 * {@code --input=data/*.jsonl --keyField=id --numDbs=8 --output=file:///tmp/users}
 * ({@code bin/shardy build} also accepts the kebab-case spelling {@code --key-field=id}).
 */
public interface BuildSnapshotOptions extends PipelineOptions {

  @Description("Input file pattern(s), comma-separated, on any Beam FileSystem: "
      + "data/*.jsonl, /abs/dir/part-*.csv.gz, gs://bucket/x/*.parquet. Compressed files "
      + "(.gz, .bz2, .zst, .deflate) are read by extension.")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Input format: jsonl, csv (first row is the header), parquet or avro. "
      + "Default: from the files' extension (.jsonl/.ndjson/.json, .csv, .parquet, .avro); "
      + "required when the extension does not tell or the files disagree.")
  String getInputFormat();

  void setInputFormat(String value);

  @Description("Field holding each record's key (stored as the manifest's key_col).")
  @Validation.Required
  String getKeyField();

  void setKeyField(String value);

  @Description("One field stored as the value: a string as its UTF-8 bytes, bytes as they "
      + "are, anything else as JSON. Default (with no --valueFields): the whole record as a "
      + "JSON object.")
  String getValueField();

  void setValueField(String value);

  @Description("Several fields stored as the value, as one JSON object of them "
      + "(comma-separated: --valueFields=name,country). Excludes --valueField.")
  List<String> getValueFields();

  void setValueFields(List<String> value);

  @Description("Number of shards (HASH sharding, or CEL sharding without boundaries). "
      + "Set this or --maxKeysPerShard (or --celExpr).")
  Integer getNumDbs();

  void setNumDbs(Integer value);

  @Description("Derive the shard count as ceil(rows / maxKeysPerShard) (HASH sharding).")
  Long getMaxKeysPerShard();

  void setMaxKeysPerShard(Long value);

  @Description("CEL routing expression; selects CEL sharding. Without --boundaries it yields "
      + "the shard id (e.g. \"shard_hash(key) % 8u\"); with them a value placed by "
      + "bisect_right (e.g. \"key\").")
  String getCelExpr();

  void setCelExpr(String value);

  @Description("Columns the CEL expression reads besides key, as name:type pairs "
      + "(comma-separated; types int, uint, string, bytes, double, bool): region:string,tier:int")
  String getCelColumns();

  void setCelColumns(String value);

  @Description("Sorted CEL boundaries, comma-separated: integers (1000,2000), decimals, or "
      + "strings (g,p); n boundaries make n+1 shards.")
  String getBoundaries();

  void setBoundaries(String value);

  @Description("How keys are stored: u64be or u32be (integer keys), utf8 (string keys), raw "
      + "(string keys as UTF-8 bytes, or bytes fields).")
  @Default.String("u64be")
  String getKeyEncoding();

  void setKeyEncoding(String value);

  @Description("How each shard is stored: rocksdb (a RocksDB database) or sqlite (one "
      + "SQLite file, shard.db, as the Python system writes it).")
  @Default.String("rocksdb")
  String getShardFormat();

  void setShardFormat(String value);

  @Description("Page size of SQLite shards: 4096, 8192, 16384, 32768, 65536, or auto (chosen "
      + "from the values' sizes, as the Python system does).")
  @Default.String("4096")
  String getSqlitePageSize();

  void setSqlitePageSize(String value);

  @Description("Manifest format: sqlite-v4 (the Python system's SQLite manifest, readable by "
      + "both systems) or json (this project's first format).")
  @Default.String("sqlite-v4")
  String getManifestFormat();

  void setManifestFormat(String value);

  @Description("Categorical CEL routing: the tokens the CEL expression yields, comma-separated "
      + "(integers or strings); token i is shard i, so there are as many shards as tokens.")
  String getRoutingValues();

  void setRoutingValues(String value);

  @Description("Categorical CEL routing with the tokens inferred from the data (the Python "
      + "system's infer_routing_values_from_data): a first pass collects the distinct tokens "
      + "the CEL expression yields (at most 65536), sorted as Python sorts them, one shard "
      + "each. Not with --routingValues, --boundaries or --numDbs.")
  @Default.Boolean(false)
  Boolean getInferRoutingValues();

  void setInferRoutingValues(Boolean value);

  @Description("Where to publish the snapshot: s3://bucket/path or file:///dir.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Run id of the snapshot (default: generated from the time and a random part).")
  String getRunId();

  void setRunId(String value);

  @Description("S3 endpoint for s3:// outputs that are not AWS (MinIO, S3Proxy, GCS interop): "
      + "http(s)://host:port")
  String getS3EndpointUrl();

  void setS3EndpointUrl(String value);

  @Description("S3 addressing style: path, virtual or auto.")
  @Default.String("auto")
  String getS3AddressingStyle();

  void setS3AddressingStyle(String value);

  @Description("S3 region (default: the AWS SDK's region chain; us-east-1 with an endpoint).")
  String getS3Region();

  void setS3Region(String value);

  @Description("S3 access key id; with --s3SecretAccessKey. Default: the AWS default "
      + "credential chain (environment, profile, instance role), which keeps secrets out of "
      + "the job's options.")
  String getS3AccessKeyId();

  void setS3AccessKeyId(String value);

  @Description("S3 secret access key; with --s3AccessKeyId.")
  String getS3SecretAccessKey();

  void setS3SecretAccessKey(String value);

  @Description("Publish manifests and the current pointer to PostgreSQL instead of next to "
      + "the shards: a JDBC URL without password, jdbc:postgresql://host:5432/db. Shards still "
      + "go to --output. Readers then need the same store. Add ?layout=python (and "
      + "table_name=..., pointer_table=...) to use the Python system's _builds/_shards/_pointer "
      + "tables, shared with it; the default layout=jvm keeps this project's tables.")
  String getManifestStore();

  void setManifestStore(String value);

  @Description("PostgreSQL role for --manifestStore.")
  @Default.String("postgres")
  String getManifestStoreUser();

  void setManifestStoreUser(String value);

  @Description("Environment variable holding the PostgreSQL password, read where the "
      + "manifest is published (not stored in the job's options). Unset: no password "
      + "(trust auth, or ~/.pgpass).")
  String getManifestStorePasswordEnv();

  void setManifestStorePasswordEnv(String value);

  @Description("Dataset name in the PostgreSQL manifest store (one database holds many).")
  @Default.String("default")
  String getManifestDataset();

  void setManifestDataset(String value);

  @Description("Heap for one shard's sort buffer on a worker, in MiB; larger shards spill to "
      + "--tempDir.")
  @Default.Integer(64)
  Integer getSortBufferMb();

  void setSortBufferMb(Integer value);

  @Description("Most rows written into shards per second, for the whole job (0: unlimited); "
      + "each shard task takes an equal part: the limit divided by the non-empty shards.")
  @Default.Long(0)
  Long getMaxWritesPerSecond();

  void setMaxWritesPerSecond(Long value);

  @Description("Most key+value bytes written into shards per second, for the whole job "
      + "(0: unlimited); divided over the shard tasks like --maxWritesPerSecond.")
  @Default.Long(0)
  Long getMaxWriteBytesPerSecond();

  void setMaxWriteBytesPerSecond(Long value);

  @Description("Local directory on each worker for sort spills and shard builds "
      + "(default: <java.io.tmpdir>/shardyfusion).")
  String getTempDir();

  void setTempDir(String value);

  @Description("User fields stored in the manifest's custom section, as k=v pairs "
      + "(comma-separated): owner=search,source=users")
  String getCustomFields();

  void setCustomFields(String value);
}
