package io.shardyfusion.writer;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.routing.ShardCount;
import io.shardyfusion.routing.ShardingSpec;
import io.shardyfusion.routing.ShardingStrategy;
import io.shardyfusion.backend.ShardBackend;
import io.shardyfusion.manifest.ManifestFormat;
import io.shardyfusion.manifest.ManifestFormats;
import io.shardyfusion.backend.rocksdb.RocksDbBackend;
import io.shardyfusion.backend.rocksdb.ShardFormatOptions;
import io.shardyfusion.storage.CredentialProvider;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StorageLocation;
import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to build and where to publish it; shared by the in-process writer and the Beam
 * transforms. Immutable and serializable. Mirrors the Python system's {@code WriteConfig}.
 *
 * <pre>{@code
 * WriteConfig config = WriteConfig.builder()
 *     .numDbs(8)
 *     .s3Prefix("s3://my-bucket/snapshots/users")
 *     .keyEncoding(KeyEncoding.U64BE)
 *     .credentialProvider(new StaticCredentialProvider(accessKey, secretKey))
 *     .s3ConnectionOptions(S3ConnectionOptions.builder()
 *         .endpointUrl("http://127.0.0.1:9000").addressingStyle("path").build())
 *     .build();
 * }</pre>
 *
 * <p>The shard count ({@link #shardCount()}) comes from exactly one place: {@code numDbs}, or
 * {@code maxKeysPerShard} (HASH: {@code ceil(rows / maxKeysPerShard)}), or the CEL spec
 * (boundaries + 1, or discovered as the largest shard id the expression yields + 1).
 *
 * <p>Manifests and the current pointer go next to the shards by default; {@link
 * Builder#manifestStore} publishes them elsewhere (e.g. PostgreSQL) while shards stay under
 * {@code s3Prefix}.
 */
public final class WriteConfig implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The most shards one snapshot may have. */
  public static final int MAX_NUM_DBS = ShardCount.MAX_NUM_DBS;
  /** How long a run's lease lasts unless renewed (see {@link #runLease()}). */
  public static final Duration DEFAULT_RUN_LEASE = io.shardyfusion.runs.RunRecord.DEFAULT_LEASE;
  /** The manifest format writers use unless configured: the Python system's SQLite manifest. */
  public static final String DEFAULT_MANIFEST_FORMAT = "sqlite-v4";

  private final ShardCount shardCount;
  private final String s3Prefix;
  private final KeyEncoding keyEncoding;
  private final ShardingSpec sharding;
  private final String keyCol;
  private final CredentialProvider credentialProvider;
  private final S3ConnectionOptions s3ConnectionOptions;
  private final ShardBackend shardBackend;
  private final String runId;
  private final LinkedHashMap<String, Object> customFields;
  private final String tempDir;
  private final boolean reuseUnchangedShards;
  private final Duration runLease;
  private final ManifestStoreFactory manifestStore;
  private final String manifestFormat;
  private final ShardRetry shardRetry;
  private final boolean inferRoutingValues;

  private WriteConfig(Builder b, ShardCount shardCount) {
    this.shardCount = shardCount;
    this.s3Prefix = StorageLocation.parse(b.s3Prefix).url();
    this.keyEncoding = b.keyEncoding;
    this.sharding = b.sharding;
    this.keyCol = b.keyCol;
    this.credentialProvider = b.credentialProvider;
    this.s3ConnectionOptions = b.s3ConnectionOptions;
    this.shardBackend = b.shardBackend;
    this.runId = b.runId;
    this.customFields = new LinkedHashMap<>(b.customFields);
    this.tempDir = b.tempDir;
    this.reuseUnchangedShards = b.reuseUnchangedShards;
    this.runLease = b.runLease;
    this.manifestStore = b.manifestStore;
    this.manifestFormat = b.manifestFormat;
    this.shardRetry = b.shardRetry;
    this.inferRoutingValues = b.inferRoutingValues;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    if (shardCount instanceof ShardCount.Fixed f) {
      b.numDbs = f.numDbs();
    } else if (shardCount instanceof ShardCount.PerMaxKeys m) {
      b.maxKeysPerShard = m.maxKeysPerShard();
    }
    b.s3Prefix = s3Prefix;
    b.keyEncoding = keyEncoding;
    b.sharding = sharding;
    b.keyCol = keyCol;
    b.credentialProvider = credentialProvider;
    b.s3ConnectionOptions = s3ConnectionOptions;
    b.shardBackend = shardBackend;
    b.runId = runId;
    b.customFields.putAll(customFields);
    b.tempDir = tempDir;
    b.reuseUnchangedShards = reuseUnchangedShards;
    b.runLease = runLease;
    b.manifestStore = manifestStore;
    b.manifestFormat = manifestFormat;
    b.shardRetry = shardRetry;
    b.inferRoutingValues = inferRoutingValues;
    return b;
  }

  /**
   * How the in-process writer retries a shard whose build or upload failed (default {@link
   * ShardRetry#NONE}, as the Python system); see {@link ShardRetry}.
   */
  public ShardRetry shardRetry() {
    return shardRetry;
  }

  /**
   * Whether the writer infers the categorical routing values from the data (the Python
   * system's {@code infer_routing_values_from_data}): the CEL expression's distinct tokens,
   * sorted as Python sorts them, one shard each. Writers then run with
   * {@link #withRoutingValues}.
   */
  public boolean inferRoutingValues() {
    return inferRoutingValues;
  }

  /**
   * This config with the routing values a writer inferred: categorical CEL over
   * {@code sortedValues}, {@code num_dbs} = their number, nothing left to infer.
   *
   * @param sortedValues the distinct tokens in Python's order
   *     ({@link io.shardyfusion.routing.RoutingValueInference#sorted})
   */
  public WriteConfig withRoutingValues(java.util.List<Object> sortedValues) {
    Builder b = toBuilder();
    b.inferRoutingValues = false;
    b.numDbs = null;
    return b.sharding(io.shardyfusion.routing.RoutingValueInference.categorical(sharding,
        sortedValues)).build();
  }

  /** How many shards the snapshot has, and when that is known (see the class comment). */
  public ShardCount shardCount() {
    return shardCount;
  }

  /** The snapshot prefix in canonical form ({@code s3://bucket/path} or {@code file:///dir}). */
  public String s3Prefix() {
    return s3Prefix;
  }

  public KeyEncoding keyEncoding() {
    return keyEncoding;
  }

  public ShardingSpec sharding() {
    return sharding;
  }

  /** The key column's name, recorded in the manifest as {@code key_col}. */
  public String keyCol() {
    return keyCol;
  }

  /** Null means the AWS default chain. */
  public CredentialProvider credentialProvider() {
    return credentialProvider;
  }

  public S3ConnectionOptions s3ConnectionOptions() {
    return s3ConnectionOptions;
  }

  /** How each shard is stored (RocksDB by default); its name goes into the manifest. */
  public ShardBackend shardBackend() {
    return shardBackend;
  }

  /** A fixed run id, or null to generate one per write. */
  public String runId() {
    return runId;
  }

  public Map<String, Object> customFields() {
    return Collections.unmodifiableMap(customFields);
  }

  /** Local directory for sort spills and shard builds. */
  public Path tempDir() {
    return Paths.get(tempDir);
  }

  /**
   * Whether a shard whose records equal the same shard's in the snapshot being replaced keeps
   * its files instead of uploading new ones (default true): a daily snapshot in which 1 of 64
   * shards changed uploads, and makes readers download, one shard.
   */
  public boolean reuseUnchangedShards() {
    return reuseUnchangedShards;
  }

  /**
   * How long the run record's lease lasts (default 1 hour). The writer renews it when less than
   * half remains, checked as shards complete; retention cleanup never deletes the uploads of a
   * run whose lease is live. Make it longer than the slowest single shard build.
   */
  public Duration runLease() {
    return runLease;
  }

  /** Where manifests and the current pointer are published. */
  public ManifestStoreFactory manifestStoreFactory() {
    return manifestStore;
  }

  /** How the manifest is encoded ({@link ManifestFormats#defaultFormat()} unless set). */
  public ManifestFormat manifestFormat() {
    return ManifestFormats.forName(manifestFormat);
  }

  /** Opens the manifest store for a run whose shards live in {@code snapshotStore}. */
  public ManifestStore openManifestStore(ObjectStore snapshotStore) {
    return manifestStore.open(snapshotStore);
  }

  /** Builder. Setters check their own argument; {@link #build()} checks the combination. */
  public static final class Builder {
    private Integer numDbs;
    private Long maxKeysPerShard;
    private String s3Prefix;
    private KeyEncoding keyEncoding = KeyEncoding.U64BE;
    private ShardingSpec sharding = ShardingSpec.hash();
    private String keyCol = "key";
    private CredentialProvider credentialProvider;
    private S3ConnectionOptions s3ConnectionOptions = S3ConnectionOptions.defaults();
    private ShardBackend shardBackend = RocksDbBackend.defaults();
    private String runId;
    private final LinkedHashMap<String, Object> customFields = new LinkedHashMap<>();
    private String tempDir = Paths.get(System.getProperty("java.io.tmpdir"), "shardyfusion")
        .toString();
    private boolean reuseUnchangedShards = true;
    private Duration runLease = DEFAULT_RUN_LEASE;
    private ManifestStoreFactory manifestStore = ManifestStoreFactory.objectStore();
    // The Python system's SQLite manifest (format_version 4), so both systems read what
    // either writes; "json" keeps this project's first-release format.
    private String manifestFormat = DEFAULT_MANIFEST_FORMAT;
    private ShardRetry shardRetry = ShardRetry.NONE;
    private boolean inferRoutingValues;

    private Builder() {}

    /**
     * Infer the categorical routing values from the data (the Python system's
     * {@code infer_routing_values_from_data}); needs a CEL sharding spec that yields tokens and
     * has no routing values, boundaries or numDbs.
     */
    public Builder inferRoutingValues(boolean infer) {
      this.inferRoutingValues = infer;
      return this;
    }

    /** A fixed shard count, {@link ShardCount#fixed}. */
    public Builder numDbs(int n) {
      this.numDbs = ShardCount.fixed(n).numDbs();
      return this;
    }

    /** Derive numDbs as {@code ceil(rows / n)} (HASH sharding only), {@link ShardCount#perMaxKeys}. */
    public Builder maxKeysPerShard(long n) {
      this.maxKeysPerShard = ShardCount.perMaxKeys(n).maxKeysPerShard();
      return this;
    }

    public Builder s3Prefix(String prefix) {
      StorageLocation.parse(prefix); // fail at the setter that took the bad value
      this.s3Prefix = prefix;
      return this;
    }

    public Builder keyEncoding(KeyEncoding e) {
      this.keyEncoding = require("keyEncoding", e);
      return this;
    }

    public Builder keyEncoding(String wireName) {
      this.keyEncoding = KeyEncoding.fromWireName(wireName);
      return this;
    }

    public Builder sharding(ShardingSpec spec) {
      this.sharding = require("sharding", spec);
      return this;
    }

    public Builder keyCol(String name) {
      if (name == null || name.isBlank()) {
        throw new ConfigValidationException("keyCol must be a non-empty column name");
      }
      this.keyCol = name;
      return this;
    }

    public Builder credentialProvider(CredentialProvider p) {
      this.credentialProvider = p;
      return this;
    }

    public Builder s3ConnectionOptions(S3ConnectionOptions o) {
      this.s3ConnectionOptions = require("s3ConnectionOptions", o);
      return this;
    }

    /** The shard backend; {@link RocksDbBackend#defaults()} unless set. */
    public Builder shardBackend(ShardBackend backend) {
      this.shardBackend = require("shardBackend", backend);
      return this;
    }

    /** Shorthand for {@code shardBackend(RocksDbBackend.of(o))}. */
    public Builder shardFormat(ShardFormatOptions o) {
      return shardBackend(RocksDbBackend.of(require("shardFormat", o)));
    }

    public Builder runId(String id) {
      this.runId = id == null ? null : SnapshotLayout.validateRunId(id);
      return this;
    }

    /** A user field stored under the manifest's {@code custom}; must be JSON-serializable. */
    public Builder customField(String name, Object value) {
      if (name == null || name.isBlank()) {
        throw new ConfigValidationException("customField name must be non-empty");
      }
      if (!(value == null || value instanceof String || value instanceof Number
          || value instanceof Boolean || value instanceof Map || value instanceof java.util.List)) {
        throw new ConfigValidationException("customField '" + name + "' has a "
            + value.getClass().getName() + "; use strings, numbers, booleans, lists or maps");
      }
      customFields.put(name, value);
      return this;
    }

    public Builder reuseUnchangedShards(boolean reuse) {
      this.reuseUnchangedShards = reuse;
      return this;
    }

    /** See {@link WriteConfig#runLease()}; must be > 0. */
    public Builder runLease(Duration lease) {
      if (lease == null || lease.isZero() || lease.isNegative()) {
        throw new ConfigValidationException("runLease must be > 0, got " + lease
            + "; use a duration longer than the slowest shard build, e.g. Duration.ofHours(1)");
      }
      this.runLease = lease;
      return this;
    }

    /**
     * Where to publish manifests and the current pointer (default: the object store, next to
     * the shards). Must be serializable for Beam: pass a factory, not an open store.
     */
    public Builder manifestStore(ManifestStoreFactory factory) {
      this.manifestStore = require("manifestStore", factory);
      return this;
    }

    /**
     * The manifest encoding by name (see {@link ManifestFormats}); kept as a name so the config
     * stays serializable. An unknown name fails here, naming the known ones.
     */
    public Builder manifestFormat(String name) {
      this.manifestFormat = ManifestFormats.forName(require("manifestFormat", name)).name();
      return this;
    }

    /** See {@link WriteConfig#shardRetry()}. */
    public Builder shardRetry(ShardRetry retry) {
      this.shardRetry = require("shardRetry", retry);
      return this;
    }

    public Builder tempDir(Path dir) {
      this.tempDir = require("tempDir", dir).toAbsolutePath().toString();
      return this;
    }

    public WriteConfig build() {
      if (s3Prefix == null) {
        throw new ConfigValidationException("s3Prefix is required, e.g. s3://bucket/path or "
            + "file:///tmp/snapshots");
      }
      if (numDbs != null && maxKeysPerShard != null) {
        throw new ConfigValidationException("set either numDbs (" + numDbs
            + ") or maxKeysPerShard (" + maxKeysPerShard + "), not both");
      }
      if (inferRoutingValues) {
        io.shardyfusion.routing.RoutingValueInference.requireInferable(sharding);
        if (numDbs != null) {
          throw new ConfigValidationException("numDbs " + numDbs + " is set, but with "
              + "inferRoutingValues the shard count is the number of distinct tokens; drop "
              + "numDbs");
        }
      }
      ShardCount count;
      if (sharding.strategy() == ShardingStrategy.HASH) {
        if (numDbs == null && maxKeysPerShard == null) {
          throw new ConfigValidationException("HASH sharding needs numDbs or maxKeysPerShard");
        }
        count = numDbs != null ? ShardCount.fixed(numDbs)
            : ShardCount.perMaxKeys(maxKeysPerShard);
      } else {
        if (maxKeysPerShard != null) {
          throw new ConfigValidationException("maxKeysPerShard only applies to HASH sharding; "
              + "with CEL the expression decides the shard count");
        }
        int implied = sharding.impliedNumDbs();
        if (implied > 0 && numDbs != null && numDbs != implied) {
          throw new ConfigValidationException("numDbs " + numDbs + " contradicts the "
              + (sharding.boundaries() != null
                  ? sharding.boundaries().size() + " CEL boundaries, which make " + implied
                      + " shards; drop numDbs or fix the boundaries"
                  : implied + " routing values (one shard each); drop numDbs or fix the "
                      + "routing values"));
        }
        // With inferRoutingValues, writers replace this config (withRoutingValues) before
        // routing; the discovered count is only its placeholder.
        count = implied > 0 ? ShardCount.fromBoundaries(sharding)
            : numDbs != null ? ShardCount.fixed(numDbs)
            : ShardCount.discovered(sharding.celExpr());
      }
      return new WriteConfig(this, count);
    }

    private static <T> T require(String name, T value) {
      if (value == null) {
        throw new ConfigValidationException(name + " must not be null");
      }
      return value;
    }
  }
}
