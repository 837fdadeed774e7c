package io.shardyfusion.cli;

import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.Manifest;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.store.ManifestStoreFactory;
import io.shardyfusion.manifest.store.ObjectStoreManifestStore;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.routing.ShardRouters;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.writer.BuildResult;
import io.shardyfusion.writer.SnapshotWriter;
import io.shardyfusion.writer.WriteConfig;
import io.shardyfusion.writer.WriteOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Three runs r1, r2, r3 (keys 0..9, 0..19, 0..29; value {@code run:key}; u64be, 4 shards)
 * published to a fresh S3Proxy bucket with the real writer, and a credentials file (mode 0600)
 * whose default profile reaches the proxy.
 */
final class ThreeRunsOnS3 {
  static final String[] RUN_IDS = {"r1", "r2", "r3"};
  static final long[] ROWS = {10, 20, 30};

  final S3ProxyServer s3;
  final String prefix;
  final List<BuildResult> runs = new ArrayList<>();
  final Path credentials;
  /** Where manifests go: null = beside the shards, else e.g. PostgreSQL. */
  final ManifestStoreFactory manifests;
  /** The --current-url naming that store, when it is not {@code prefix/_CURRENT}. */
  final String currentUrl;

  private ThreeRunsOnS3(S3ProxyServer s3, String prefix, Path credentials,
      ManifestStoreFactory manifests, String currentUrl) {
    this.s3 = s3;
    this.prefix = prefix;
    this.credentials = credentials;
    this.manifests = manifests;
    this.currentUrl = currentUrl;
  }

  static ThreeRunsOnS3 publish(S3ProxyServer s3, Path tmp) {
    return publish(s3, tmp, null, null);
  }

  /** Shards on S3Proxy, manifests in {@code manifests} (named by {@code currentUrl}). */
  static ThreeRunsOnS3 publish(S3ProxyServer s3, Path tmp, ManifestStoreFactory manifests,
      String currentUrl) {
    String bucket = s3.createUniqueBucket("cli");
    ThreeRunsOnS3 f = new ThreeRunsOnS3(s3, "s3://" + bucket + "/snapshots/users",
        tmp.resolve("credentials.toml"), manifests, currentUrl);
    for (int i = 0; i < RUN_IDS.length; i++) {
      String runId = RUN_IDS[i];
      WriteConfig cfg = WriteConfig.builder().numDbs(4).s3Prefix(f.prefix)
          .credentialProvider(f.credentialProvider()).s3ConnectionOptions(f.s3Options())
          .tempDir(tmp.resolve("build")).runId(runId)
          .manifestStore(manifests == null ? ManifestStoreFactory.objectStore() : manifests)
          .build();
      f.runs.add(SnapshotWriter.writeSharded(LongStream.range(0, ROWS[i]).boxed().toList(),
          cfg, k -> k, k -> value(runId, k), WriteOptions.defaults()
              .withSortBufferBytes(1 << 20)));
    }
    f.writeCredentials("""
        [default]
        access_key_id = "%s"
        secret_access_key = "%s"
        endpoint_url = "%s"
        region = "%s"
        """.formatted(s3.accessKey(), s3.secretKey(), s3.endpoint(), s3.region()), "rw-------");
    return f;
  }

  static byte[] value(String runId, long key) {
    return (runId + ":" + key).getBytes(StandardCharsets.UTF_8);
  }

  void writeCredentials(String toml, String mode) {
    try {
      Files.writeString(credentials, toml);
      Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString(mode));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String currentUrl() {
    return currentUrl != null ? currentUrl : prefix + "/_CURRENT";
  }

  /** Global options that reach this snapshot (the endpoint comes from the profile). */
  List<String> args(String... more) {
    List<String> a = new ArrayList<>(List.of("--current-url", currentUrl(),
        "--credentials-file", credentials.toString(), "--s3-option", "addressing_style=path"));
    a.addAll(List.of(more));
    return a;
  }

  StaticCredentialProvider credentialProvider() {
    return new StaticCredentialProvider(s3.accessKey(), s3.secretKey());
  }

  S3ConnectionOptions s3Options() {
    return S3ConnectionOptions.builder().endpointUrl(s3.endpoint()).addressingStyle("path")
        .region(s3.region()).build();
  }

  ManifestStore store() {
    ObjectStore objects = ObjectStores.open(prefix, s3Options(), credentialProvider());
    return manifests == null ? new ObjectStoreManifestStore(objects) : manifests.open(objects);
  }

  /** Every object key under the prefix (shards, manifests, run records), sorted. */
  List<String> objectKeys() {
    try (ObjectStore objects = ObjectStores.open(prefix, s3Options(), credentialProvider())) {
      return objects.list("").stream().map(io.shardyfusion.storage.ObjectInfo::key).sorted()
          .toList();
    }
  }

  CurrentPointer current() {
    try (ManifestStore store = store()) {
      return store.loadCurrent().orElseThrow();
    }
  }

  String ref(int run) {
    return runs.get(run).manifestRef();
  }

  Manifest manifest(int run) {
    try (ManifestStore store = store()) {
      return store.loadManifest(ref(run));
    }
  }

  /** The shard a key routes to, computed here from the run's manifest. */
  int shardOf(int run, long key) {
    Manifest m = manifest(run);
    return ShardRouters.create(m.shardingSpec(), m.numDbs(), m.keyEncoding()).route(key);
  }

  ShardedReader reader(Path localRoot) {
    return ShardedReader.open(ReaderConfig.builder().s3Prefix(prefix).localRoot(localRoot)
        .credentialProvider(credentialProvider()).s3ConnectionOptions(s3Options())
        .manifestStore(manifests).build());
  }
}
